package lake

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/lease"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
)

// azureStore is one container (and prefix) of Azure Blob Storage.
type azureStore struct {
	url       string // output.url, for errors
	container *container.Client
	prefix    string
}

// sha256Meta is the blob metadata key holding the digest reclaim computed.
const sha256Meta = "sha256"

// LeaseDuration is the Azure lease the profile lock takes, in seconds: the
// longest finite lease Blob Storage grants (15–60 s), so a holder that died
// frees the lock within a minute; the driver renews it every
// store.LeaseRenewal while held. A variable for the renewal test only.
var LeaseDuration int32 = 60

func openAzure(r *config.Remote, cred Credential) (*azureStore, error) {
	service := r.Endpoint
	if service == "" {
		service = "https://" + r.Account + ".blob.core.windows.net"
	}
	service = strings.TrimSuffix(service, "/")
	var client *azblob.Client
	var err error
	switch {
	case r.SharedKey.IsSet():
		var key *azblob.SharedKeyCredential
		key, err = azblob.NewSharedKeyCredential(r.Account, r.SharedKey.Reveal())
		if err != nil {
			return nil, fmt.Errorf("output shared_key for account %s: %w", r.Account, errors.New("not a base64 storage account key")) // the SDK's error may quote the key
		}
		client, err = azblob.NewClientWithSharedKeyCredential(service+"/", key, nil)
	case cred.Token != nil:
		var tc azcore.TokenCredential
		if tc, err = cred.Token(); err != nil {
			return nil, fmt.Errorf("credential for %s: %w", r.URL, err)
		}
		client, err = azblob.NewClient(service+"/", tc, nil)
	default:
		return nil, fmt.Errorf("%s: no credential (set output shared_key, or sign in as the profile)", r.URL)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.URL, err)
	}
	return &azureStore{url: r.URL, container: client.ServiceClient().NewContainerClient(r.Container), prefix: r.Prefix}, nil
}

func (a *azureStore) blob(key string) *blockblob.Client {
	return a.container.NewBlockBlobClient(objectName(a.prefix, key))
}

// Put uploads the file as a block blob: its blocks are staged and then
// committed with one Put Block List (or one Put Blob when small), so a
// reader sees the old blob or the new one.
func (a *azureStore) Put(ctx context.Context, key, local, sum string) error {
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = a.blob(key).UploadFile(ctx, f, &blockblob.UploadFileOptions{Metadata: map[string]*string{sha256Meta: &sum}})
	return azureError(err)
}

func (a *azureStore) Get(ctx context.Context, key string, w io.Writer) error {
	resp, err := a.blob(key).DownloadStream(ctx, nil)
	if err != nil {
		if bloberror.HasCode(err, bloberror.BlobNotFound) {
			return fmt.Errorf("%s: %w", key, fs.ErrNotExist)
		}
		return azureError(err)
	}
	defer resp.Body.Close()
	_, err = io.Copy(w, resp.Body)
	return err
}

func (a *azureStore) List(ctx context.Context, prefix string) ([]store.Object, error) {
	full := objectName(a.prefix, prefix)
	if strings.HasSuffix(prefix, "/") {
		full += "/"
	}
	pager := a.container.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &full,
		Include: container.ListBlobsInclude{Metadata: true}})
	var out []store.Object
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, azureError(err)
		}
		for _, b := range page.Segment.BlobItems {
			if b.Name == nil {
				continue
			}
			o := store.Object{Key: keyOf(a.prefix, *b.Name)}
			if b.Properties != nil && b.Properties.ContentLength != nil {
				o.Size = *b.Properties.ContentLength
			}
			for k, v := range b.Metadata {
				if strings.EqualFold(k, sha256Meta) && v != nil {
					o.SHA256 = *v
				}
			}
			out = append(out, o)
		}
	}
	return out, nil
}

// Lease takes a blob lease on the lock blob (created empty if missing),
// writes me into it under the lease and renews the lease every
// store.LeaseRenewal until release. A lease held by another process is
// never broken: it ends when its holder releases it or stops renewing.
func (a *azureStore) Lease(ctx context.Context, key string, me store.Holder) (func(), store.Holder, error) {
	b := a.blob(key)
	_, err := b.Upload(ctx, nopSeeker(nil), &blockblob.UploadOptions{AccessConditions: &blob.AccessConditions{
		ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfNoneMatch: ptr(azcore.ETagAny)}}})
	if err != nil && !bloberror.HasCode(err, bloberror.BlobAlreadyExists, bloberror.ConditionNotMet, bloberror.LeaseIDMissing) {
		var re *azcore.ResponseError
		if !errors.As(err, &re) || (re.StatusCode != 409 && re.StatusCode != 412) {
			return nil, store.Holder{}, fmt.Errorf("creating the lock blob: %w", azureError(err))
		}
	}
	lc, err := lease.NewBlobClient(b, nil)
	if err != nil {
		return nil, store.Holder{}, err
	}
	if _, err := lc.AcquireLease(ctx, LeaseDuration, nil); err != nil {
		if bloberror.HasCode(err, bloberror.LeaseAlreadyPresent) {
			return nil, a.holder(ctx, key), fmt.Errorf("%w", store.ErrLeaseHeld)
		}
		return nil, store.Holder{}, azureError(err)
	}
	leased := &blob.AccessConditions{LeaseAccessConditions: &blob.LeaseAccessConditions{LeaseID: lc.LeaseID()}}
	who, _ := json.Marshal(me)
	if _, err := b.Upload(ctx, nopSeeker(append(who, '\n')), &blockblob.UploadOptions{AccessConditions: leased}); err != nil {
		lc.ReleaseLease(context.Background(), nil)
		return nil, store.Holder{}, fmt.Errorf("writing the lock holder: %w", azureError(err))
	}
	// A failed renewal is retried at the next tick; the lease lasts
	// LeaseDuration, four renewals.
	stop := every(store.LeaseRenewal, func() {
		rctx, cancel := context.WithTimeout(context.Background(), store.LeaseRenewal)
		defer cancel()
		lc.RenewLease(rctx, nil)
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// Empty the holder first so nobody reads a past one.
			b.Upload(ctx, nopSeeker(nil), &blockblob.UploadOptions{AccessConditions: leased})
			lc.ReleaseLease(ctx, nil)
		})
	}, store.Holder{}, nil
}

// holder reads who the lock blob names; zero when it cannot be read.
func (a *azureStore) holder(ctx context.Context, key string) store.Holder {
	var h store.Holder
	var buf bytes.Buffer
	// The holder writes its name right after taking the lease: wait a
	// little for it, as the local lock does.
	for deadline := time.Now().Add(time.Second); ; time.Sleep(100 * time.Millisecond) {
		buf.Reset()
		if a.Get(ctx, key, &buf) == nil && json.Unmarshal(buf.Bytes(), &h) == nil && h.PID != 0 {
			return h
		}
		if time.Now().After(deadline) {
			return store.Holder{}
		}
	}
}

type seeker struct{ *bytes.Reader }

func (seeker) Close() error { return nil }

func nopSeeker(b []byte) seeker { return seeker{bytes.NewReader(b)} }

func ptr[T any](v T) *T { return &v }

// azureError keeps the service's error code and status and drops the
// request dump (which names the URL with any SAS signature).
func azureError(err error) error {
	var re *azcore.ResponseError
	if errors.As(err, &re) && re.RawResponse != nil && re.RawResponse.Request != nil {
		return fmt.Errorf("%s %s: HTTP %d %s", re.RawResponse.Request.Method, re.RawResponse.Request.URL.Path, re.StatusCode, re.ErrorCode)
	}
	return err
}
