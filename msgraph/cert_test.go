package msgraph_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/reclaimhq/reclaim/msgraph"
	"github.com/reclaimhq/reclaim/msgraph/azcred"
	"github.com/reclaimhq/reclaim/pipeline/secret"
	"github.com/reclaimhq/reclaim/simtenant"
)

// TestCertificateCredentialAgainstSimulator authenticates with a client
// certificate (a PEM file holding certificate and key, as certificate_file
// expects) and reads the users of the simulated tenant.
func TestCertificateCredentialAgainstSimulator(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "reclaim-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pemFile := filepath.Join(t.TempDir(), "app.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})...)
	if err := os.WriteFile(pemFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := simtenant.Start(simtenant.Options{Users: 150, ClientCertificates: []*x509.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := msgraph.New(msgraph.Options{Profile: "cert", TenantID: srv.TenantID(),
		Credentials: msgraph.Credentials{ClientID: srv.ClientID(), CertificateFile: pemFile}, Authenticator: azcred.Authenticate,
		GraphEndpoint: srv.URL(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile()})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := collectIDs(t, c, context.Background(), "/users?$select=id&$top=100")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 150 {
		t.Errorf("%d users, want 150", len(ids))
	}
}

// TestTokenExpiresMidRunAgainstSimulator: with one-second tokens and paging
// slowed to span several lifetimes, every page still arrives.
func TestTokenExpiresMidRunAgainstSimulator(t *testing.T) {
	srv, err := simtenant.Start(simtenant.Options{Users: 1000, TokenTTL: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := msgraph.New(msgraph.Options{Profile: "ttl", TenantID: srv.TenantID(),
		Credentials: msgraph.Credentials{ClientID: srv.ClientID(), ClientSecret: secret.New(srv.ClientSecret())}, Authenticator: azcred.Authenticate,
		GraphEndpoint: srv.URL(), LoginEndpoint: srv.URL(), CAFile: srv.CAFile(),
		Limits: map[msgraph.Class]msgraph.Limit{msgraph.ClassDirectory: {Rate: 4, Burst: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := collectIDs(t, c, context.Background(), "/users?$select=id&$top=100")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1000 {
		t.Errorf("%d users, want 1000", len(ids))
	}
}
