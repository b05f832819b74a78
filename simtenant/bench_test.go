package simtenant

import (
	"encoding/json"
	"io"
	"net/http"
	"runtime"
	"testing"
)

// BenchmarkGenerateUser measures deriving one user from (seed, index).
func BenchmarkGenerateUser(b *testing.B) {
	t := NewTenant(1, 1_000_000, testToday)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t.user(i % 1_000_000)
	}
}

// BenchmarkUsersPage serves /v1.0/users pages of 999 users with reclaim's
// select list from a 1,000,000-user tenant over loopback HTTPS, following
// nextLinks (wrapping round at the end), and reports the heap in use.
func BenchmarkUsersPage(b *testing.B) {
	srv, c := startSim(b, Options{Users: 1_000_000, Seed: 1})
	tok := tokenFor(b, srv, c, "")
	first := srv.URL() + "/v1.0/users?$top=999&$select=id,userPrincipalName,displayName,mail,userType,accountEnabled,department,jobTitle,country,usageLocation,createdDateTime,onPremisesSyncEnabled,assignedLicenses,licenseAssignmentStates"
	next := first
	var bytes int64
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", next, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var p struct {
			NextLink string            `json:"@odata.nextLink"`
			Value    []json.RawMessage `json:"value"`
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		bytes += int64(len(body))
		if err := json.Unmarshal(body, &p); err != nil || len(p.Value) != 999 && p.NextLink != "" {
			b.Fatalf("page: %v (%d users)", err, len(p.Value))
		}
		next = p.NextLink
		if next == "" {
			next = first
		}
	}
	b.SetBytes(bytes / int64(b.N))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}

// BenchmarkReportDownload streams getOffice365ActiveUserDetail for a
// 100,000-user tenant.
func BenchmarkReportDownload(b *testing.B) {
	srv, c := startSim(b, Options{Users: 100_000, Seed: 1})
	tok := tokenFor(b, srv, c, "")
	for b.Loop() {
		req, _ := http.NewRequest("GET", srv.URL()+"/v1.0/reports/getOffice365ActiveUserDetail(period='D30')", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.SetBytes(n)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}
