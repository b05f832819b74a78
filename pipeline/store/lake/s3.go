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

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
)

// s3Store is one bucket (and prefix) of S3 or an S3-compatible server.
type s3Store struct {
	url    string
	client *s3.Client
	bucket string
	prefix string
}

func openS3(r *config.Remote, cred Credential) (*s3Store, error) {
	opts := []func(*awsconfig.LoadOptions) error{}
	if r.Region != "" {
		opts = append(opts, awsconfig.WithRegion(r.Region))
	}
	if cred.AWS != nil {
		opts = append(opts, awsconfig.WithCredentialsProvider(cred.AWS))
	}
	// The standard AWS chain: environment, shared config and credentials
	// files, web identity (EKS), the container and instance roles.
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: loading the AWS configuration: %w", r.URL, err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if r.Endpoint != "" {
			o.BaseEndpoint = aws.String(r.Endpoint)
			// S3-compatible servers address buckets by path.
			o.UsePathStyle = true
		}
	})
	return &s3Store{url: r.URL, client: client, bucket: r.Account, prefix: r.Prefix}, nil
}

// Put uploads the file with one PutObject: S3 makes an object visible only
// once its upload is complete.
func (c *s3Store) Put(ctx context.Context, key, local, sum string) error {
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &c.bucket, Key: aws.String(objectName(c.prefix, key)), Body: f,
		Metadata: map[string]string{sha256Meta: sum}})
	return s3Error(err)
}

func (c *s3Store) Get(ctx context.Context, key string, w io.Writer) error {
	out, err := c.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &c.bucket, Key: aws.String(objectName(c.prefix, key))})
	if err != nil {
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) {
			return fmt.Errorf("%s: %w", key, fs.ErrNotExist)
		}
		return s3Error(err)
	}
	defer out.Body.Close()
	_, err = io.Copy(w, out.Body)
	return err
}

// List lists with ListObjectsV2, which carries no user metadata: its
// objects have no SHA256, so Pull compares sizes and re-reads equal ones.
func (c *s3Store) List(ctx context.Context, prefix string) ([]store.Object, error) {
	full := objectName(c.prefix, prefix)
	if strings.HasSuffix(prefix, "/") {
		full += "/"
	}
	p := s3.NewListObjectsV2Paginator(c.client, &s3.ListObjectsV2Input{Bucket: &c.bucket, Prefix: &full})
	var out []store.Object
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s3Error(err)
		}
		for _, o := range page.Contents {
			if o.Key == nil {
				continue
			}
			out = append(out, store.Object{Key: keyOf(c.prefix, *o.Key), Size: aws.ToInt64(o.Size)})
		}
	}
	return out, nil
}

// s3Lock is the lock object's content: who holds it and until when. A
// holder rewrites it (If-Match its own ETag) every store.LeaseRenewal.
type s3Lock struct {
	store.Holder
	Expires time.Time `json:"expires"`
}

// Lease takes the lock by creating the lock object only if none exists
// (PutObject If-None-Match: *); a lock object whose holder stopped renewing
// (past its expiry by LeaseDuration's clock) is taken over with If-Match
// its ETag, so of two hosts racing for it one wins. A live lock is never
// overwritten or deleted.
func (c *s3Store) Lease(ctx context.Context, key string, me store.Holder) (func(), store.Holder, error) {
	name := aws.String(objectName(c.prefix, key))
	body := func() []byte {
		b, _ := json.Marshal(s3Lock{Holder: me, Expires: time.Now().UTC().Add(time.Duration(LeaseDuration) * time.Second)})
		return b
	}
	put, err := c.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &c.bucket, Key: name, Body: bytes.NewReader(body()), IfNoneMatch: aws.String("*")})
	if err != nil {
		if !preconditionFailed(err) {
			return nil, store.Holder{}, fmt.Errorf("creating the lock object: %w", s3Error(err))
		}
		got, err := c.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &c.bucket, Key: name})
		if err != nil {
			return nil, store.Holder{}, fmt.Errorf("reading the lock object: %w", s3Error(err))
		}
		var held s3Lock
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		if json.Unmarshal(b, &held) == nil && time.Now().Before(held.Expires) {
			return nil, held.Holder, store.ErrLeaseHeld
		}
		// Expired (or unreadable): take it over, unless someone else just did.
		put, err = c.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &c.bucket, Key: name, Body: bytes.NewReader(body()), IfMatch: got.ETag})
		if err != nil {
			if preconditionFailed(err) {
				return nil, store.Holder{}, store.ErrLeaseHeld
			}
			return nil, store.Holder{}, fmt.Errorf("taking over the expired lock object: %w", s3Error(err))
		}
	}
	var mu sync.Mutex
	etag := put.ETag
	stop := every(store.LeaseRenewal, func() {
		rctx, cancel := context.WithTimeout(context.Background(), store.LeaseRenewal)
		defer cancel()
		mu.Lock()
		defer mu.Unlock()
		if out, err := c.client.PutObject(rctx, &s3.PutObjectInput{Bucket: &c.bucket, Key: name, Body: bytes.NewReader(body()), IfMatch: etag}); err == nil {
			etag = out.ETag
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			stop()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// Delete only our own lock: If-Match our last ETag (checked by a
			// read first for servers that ignore If-Match on DELETE).
			head, err := c.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &c.bucket, Key: name})
			if err != nil || aws.ToString(head.ETag) != aws.ToString(etag) {
				return
			}
			c.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &c.bucket, Key: name, IfMatch: etag})
		})
	}, store.Holder{}, nil
}

func preconditionFailed(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "PreconditionFailed", "ConditionalRequestConflict":
			return true
		}
	}
	return false
}

// s3Error keeps the service's code and message; the SDK's error names the
// operation and request id, never a credential.
func s3Error(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s", ae.ErrorCode(), ae.ErrorMessage())
	}
	return err
}
