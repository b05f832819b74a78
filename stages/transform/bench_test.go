package transform

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/reclaimhq/reclaim/schemas"
)

// benchUsers is the generated tenant size: RECLAIM_BENCH_USERS (default 20000).
func benchUsers() int {
	if n, err := strconv.Atoi(os.Getenv("RECLAIM_BENCH_USERS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// generate builds a raw snapshot of n users: the base fixture's SKUs, one
// to three licences each (some through groups), activity spread over a
// year, every usage report with a row per user.
func generate(n int, seed uint64) *fixture {
	r := rand.New(rand.NewPCG(seed, 7))
	f := baseFixture()
	f.users, f.assigns, f.o365, f.teams, f.mailbox, f.onedrive = nil, nil, nil, nil, nil, nil
	skus := []string{skuE3, skuE5, skuPBI, skuO365E3, skuSales, skuService, skuFlow}
	ago := func() int {
		if r.IntN(8) == 0 {
			return never
		}
		return r.IntN(365)
	}
	for i := 0; i < n; i++ {
		p := person{name: fmt.Sprintf("user%06d", i), created: 30 + r.IntN(2000), disabled: r.IntN(30) == 0, guest: r.IntN(25) == 0,
			lastSuccess: ago(), lastSignIn: ago(), lastNonInt: ago(), exchange: ago(), teams: ago(), mailboxItem: int64(r.IntN(3) * 500)}
		var lic []schemas.UserLicenseAssignment
		for k := 0; k < 1+r.IntN(3); k++ {
			s := skus[r.IntN(len(skus))]
			if r.IntN(5) == 0 {
				lic = append(lic, viaGroup(s, groupAll))
			} else {
				lic = append(lic, direct(s))
			}
		}
		f.add(p, lic...)
		upn := f.users[len(f.users)-1].UserPrincipalName
		f.email = append(f.email, schemas.ReportEmailActivityUserDetail{ReportRefreshDate: dateAgo(2), UserPrincipalName: upn, LastActivityDate: dateAgo(r.IntN(200))})
		f.sharepnt = append(f.sharepnt, schemas.ReportSharePointActivityUserDetail{ReportRefreshDate: dateAgo(2), UserPrincipalName: upn, LastActivityDate: dateAgo(r.IntN(200))})
		f.apps = append(f.apps, schemas.ReportM365AppUserDetail{ReportRefreshDate: dateAgo(3), UserPrincipalName: upn, LastActivityDate: dateAgo(r.IntN(200)),
			Windows: boolPtr(r.IntN(2) == 0), Web: boolPtr(r.IntN(2) == 0)})
	}
	for i := range f.skus {
		f.skus[i].PrepaidEnabled = int64(n)
	}
	return f
}

// BenchmarkTransform times transform.Run over a generated snapshot
// (RECLAIM_BENCH_USERS users), and the same SQL run as bare DuckDB
// statements with none of Run's checks, counts or summary, for
// the ratio.
func BenchmarkTransform(b *testing.B) {
	n := benchUsers()
	out := b.TempDir()
	raw := filepath.Join(out, "raw")
	generate(n, 1).write(b, raw)
	b.Logf("%d users", n)
	ctx := context.Background()
	req := func(dir string) Request {
		return Request{Profile: "p", RawDir: raw, CuratedDir: filepath.Join(out, dir),
			AsOf: asOf, Config: baseConfig()}
	}
	b.Run("transform", func(b *testing.B) {
		for b.Loop() {
			if _, err := Run(ctx, req("curated")); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
	})
	b.Run("bare_duckdb", func(b *testing.B) {
		qs, err := curatedQueries()
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			r := req("bare")
			r.normalize()
			os.MkdirAll(r.CuratedDir, 0o755)
			e, err := openEngine(ctx, Settings{TempDirectory: filepath.Join(out, "bare-tmp")})
			if err != nil {
				b.Fatal(err)
			}
			st, err := openRaw(ctx, e, raw, asOf)
			if err != nil {
				b.Fatal(err)
			}
			if err := loadParams(ctx, e, &r, st); err != nil {
				b.Fatal(err)
			}
			if err := runPrelude(ctx, e); err != nil {
				b.Fatal(err)
			}
			for _, q := range qs {
				path := filepath.Join(r.CuratedDir, q.table+".parquet")
				if err := e.exec(ctx, "CREATE TABLE main."+q.table+" AS\n"+q.text); err != nil {
					b.Fatal(err)
				}
				if err := e.exec(ctx, fmt.Sprintf("COPY main.%s TO %s (FORMAT parquet, COMPRESSION zstd)", q.table, quoteString(path))); err != nil {
					b.Fatal(err)
				}
			}
			e.close()
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "users/s")
	})
}
