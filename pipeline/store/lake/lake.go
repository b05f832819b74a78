// Package lake holds the object-store drivers of output.url: Azure Blob
// Storage and ADLS Gen2 (az://, which also serves Fabric OneLake) through
// the Azure SDK's azblob, and S3 or an S3-compatible server (s3://) through
// aws-sdk-go-v2. Each driver is a store.Objects (put a file, get,
// list) and a store.Leases (the cross-host profile lock); pipeline/store
// decides what is published when and what a fresh host reads back. The
// wiring hands each driver its credential: the same azcore.TokenCredential
// the profile's Graph client uses (only the wiring links azidentity), or a
// shared key from the configuration.
package lake

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/reclaimhq/reclaim/pipeline/config"
	"github.com/reclaimhq/reclaim/pipeline/store"
)

// Credential is how a driver signs in. Azure: Token, built on first use,
// unless the configuration holds a shared key (output.shared_key). S3: the
// standard AWS chain, unless AWS is set (tests).
type Credential struct {
	Token func() (azcore.TokenCredential, error)
	AWS   aws.CredentialsProvider
}

// Open is the driver of r, signing in with cred.
func Open(r *config.Remote, cred Credential) (store.Objects, store.Leases, error) {
	switch r.Scheme {
	case config.RemoteAzure:
		c, err := openAzure(r, cred)
		if err != nil {
			return nil, nil, err
		}
		return c, c, nil
	case config.RemoteS3:
		c, err := openS3(r, cred)
		if err != nil {
			return nil, nil, err
		}
		return c, c, nil
	}
	return nil, nil, fmt.Errorf("output url %s: no driver for %q", r.URL, r.Scheme)
}

// objectName is a store key under the remote's prefix.
func objectName(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return path.Join(prefix, key)
}

// keyOf is objectName's inverse.
func keyOf(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return strings.TrimPrefix(name, prefix+"/")
}

// every runs f every d on a goroutine of its own (a lease's renewal) until
// stop is called; stop waits for a call in progress to end.
func every(d time.Duration, f func()) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				f()
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}
