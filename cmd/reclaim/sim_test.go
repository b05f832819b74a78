package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSimServePrintsURL runs "reclaim sim serve" through the cobra command,
// reads the lines it prints and checks the URL answers with the CA file.
func TestSimServePrintsURL(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	root := newRootCmd()
	root.SetArgs([]string{"sim", "serve", "--users", "20", "--seed", "3", "--today", "2026-11-20"})
	root.SetOut(pw)
	root.SetErr(io.Discard)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); pw.Close() }()

	sc := bufio.NewScanner(pr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "identity_header=") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if len(lines) < 5 || !strings.HasPrefix(lines[0], "https://127.0.0.1:") {
		t.Fatalf("first lines = %q", lines)
	}
	kv := map[string]string{}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, "=")
		kv[k] = v
	}
	for _, k := range []string{"tenant_id", "client_id", "client_secret", "ca_file", "identity_endpoint", "identity_header"} {
		if kv[k] == "" {
			t.Errorf("missing %s= line in %q", k, lines)
		}
	}
	pemBytes, err := os.ReadFile(kv["ca_file"])
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := c.Get(lines[0] + "/" + kv["tenant_id"] + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	if m["token_endpoint"] != lines[0]+"/"+kv["tenant_id"]+"/oauth2/v2.0/token" {
		t.Errorf("openid configuration token_endpoint = %v", m["token_endpoint"])
	}
	// The printed managed identity endpoint and header give a Graph token.
	req, _ := http.NewRequest("GET", kv["identity_endpoint"]+"?api-version=2019-08-01&resource=https://graph.microsoft.com", nil)
	req.Header.Set("X-IDENTITY-HEADER", kv["identity_header"])
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var mi struct {
		AccessToken string `json:"access_token"`
		ExpiresOn   string `json:"expires_on"`
	}
	json.NewDecoder(resp.Body).Decode(&mi)
	resp.Body.Close()
	if resp.StatusCode != 200 || mi.AccessToken == "" || mi.ExpiresOn == "" {
		t.Errorf("identity endpoint: %d %+v", resp.StatusCode, mi)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("serve did not stop on cancel")
	}
}

func TestSimTruthPrintsJSONLines(t *testing.T) {
	var out strings.Builder
	root := newRootCmd()
	root.SetArgs([]string{"sim", "truth", "--users", "50", "--seed", "2", "--today", "2026-11-20", "--from", "10", "--count", "3"})
	root.SetOut(&out)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines", len(lines))
	}
	var tr struct {
		Index     int    `json:"index"`
		Archetype string `json:"archetype"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &tr); err != nil || tr.Index != 10 || tr.Archetype == "" {
		t.Errorf("first line %s (%v)", lines[0], err)
	}
}
