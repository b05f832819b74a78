package main

import (
	"bufio"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/reclaimhq/reclaim/simtenant"
)

func newSimCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim",
		Short: "Run the simulated Microsoft 365 tenant (Graph, login and Dataverse over HTTPS)",
		Long: `The simulated tenant speaks Microsoft's token, Graph and Dataverse protocols over
HTTPS with a certificate it generates, so reclaim (or any client) can be pointed at
it instead of Microsoft. Users are generated deterministically from --seed; the
same options always serve the same tenant. See docs/simulator.md.`,
	}
	cmd.AddCommand(newSimServeCmd(), newSimTruthCmd())
	return cmd
}

type simServeFlags struct {
	addr, today, tenantID, clientID, clientSecret string
	users                                         int
	seed                                          int64
	permissions                                   []string
	noP1, concealed, throttle, hostile            bool
	timeScale, faultRate, slowRate, dropRate      float64
	failAfter                                     int
	failMode, state, certDir                      string
	bodyFault, bodyFaultPath, tokenFault          string
	bodyFaultSkip, tokenFaultCount                int
	tokenTTL, slowDelay                           time.Duration
	orgs, clientCerts                             []string
	fedIssuer                                     string
	fedSubjects, miClientIDs                      []string
}

func newSimServeCmd() *cobra.Command {
	f := &simServeFlags{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve a simulated tenant until interrupted",
		Long: `Serve a simulated tenant until SIGINT or SIGTERM.

The first line on stdout is the base URL (login authority host, Graph endpoint and
parent of the Dataverse environments), followed by tenant_id=, client_id=,
client_secret=, ca_file= and dataverse_url= lines. Clients trust the generated
certificate through ca_file (profile setting) or SSL_CERT_FILE.`,
		Example: `  # a 10,000-user tenant on a fixed port, dated like a real day
  reclaim sim serve --addr 127.0.0.1:8443 --users 10000 --seed 42 --today 2026-11-20

  # a tenant without Entra ID P1 whose reports conceal user names
  reclaim sim serve --no-p1 --concealed-names

  # users whose names carry terminal escapes, bidi controls, HTML and @mentions
  reclaim sim serve --hostile-names

  # Microsoft's throttling budgets, ten times faster, 2% transient 503/504
  reclaim sim serve --throttle --time-scale 10 --fault-rate 0.02

  # keep changes (licence removals) across restarts
  reclaim sim serve --state sim-state.json

  # crash test: after 500 requests every request fails (connection dropped)
  reclaim sim serve --fail-after 500 --fail-mode drop`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			level, _ := cmd.Flags().GetString("log-level")
			log := hclog.New(&hclog.LoggerOptions{Name: "reclaim.sim", Level: hclog.LevelFromString(level), Output: cmd.ErrOrStderr()})
			o.Logf = func(format string, a ...any) { log.Debug(fmt.Sprintf(format, a...)) }
			srv, err := simtenant.Start(o)
			if err != nil {
				return err
			}
			defer srv.Close()
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, srv.URL())
			fmt.Fprintf(out, "tenant_id=%s\nclient_id=%s\nclient_secret=%s\nca_file=%s\n", srv.TenantID(), srv.ClientID(), srv.ClientSecret(), srv.CAFile())
			for _, org := range o.DataverseOrgs {
				fmt.Fprintf(out, "dataverse_url=%s\n", srv.DataverseURL(org))
			}
			fmt.Fprintf(out, "identity_endpoint=%s\nidentity_header=%s\n", srv.IdentityEndpoint(), srv.IdentityHeader())
			log.Info("simulated tenant serving", "url", srv.URL(), "users", o.Users, "seed", o.Seed, "today", o.Today.Format(time.DateOnly))
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			log.Info("stopping simulated tenant")
			return nil
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// register declares the simulated tenant's flags on fl; `sim serve` and the
// CLI scripts' `sim start` command (script_test.go) share them.
func (f *simServeFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.addr, "addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	fl.IntVar(&f.users, "users", 1000, "number of users (10 to millions; generated on demand)")
	fl.Int64Var(&f.seed, "seed", 1, "tenant seed: the same seed serves the same tenant")
	fl.StringVar(&f.today, "today", "", "pin the tenant's date, YYYY-MM-DD (default: today UTC)")
	fl.StringVar(&f.tenantID, "tenant_id", simtenant.DefaultTenantID, "tenant id")
	fl.StringVar(&f.clientID, "client_id", simtenant.DefaultClientID, "application (client) id")
	fl.StringVar(&f.clientSecret, "client_secret", simtenant.DefaultClientSecret, "client secret")
	fl.StringSliceVar(&f.clientCerts, "client-cert", nil, "PEM certificate file accepted for client_assertion auth (repeatable)")
	fl.StringVar(&f.fedIssuer, "federated-issuer", "", "trust tokens of this OpenID Connect issuer as client assertions (workload identity federation; its discovery document and JWKS are fetched)")
	fl.StringSliceVar(&f.fedSubjects, "federated-subject", nil, "a subject --federated-issuer's tokens may carry, e.g. repo:ORG/REPO:environment:NAME (repeatable; audience api://AzureADTokenExchange)")
	fl.StringSliceVar(&f.miClientIDs, "managed-identity-client-id", nil, "a user-assigned managed identity the local identity endpoint (/msi/token) serves besides the system-assigned one (repeatable)")
	fl.StringSliceVar(&f.permissions, "permissions", nil, "granted application permissions, comma-separated (default: "+strings.Join(simtenant.DefaultPermissions, ",")+")")
	fl.BoolVar(&f.noP1, "no-p1", false, "tenant without Entra ID P1: signInActivity and sign-in logs answer 403")
	fl.BoolVar(&f.concealed, "concealed-names", false, "start with reportSettings displayConcealedNames=true")
	fl.BoolVar(&f.hostile, "hostile-names", false, "every fourth user gets attacker-chosen names: terminal escapes, bidi controls, HTML, @mentions, Markdown links (UPNs stay within Microsoft's rules)")
	fl.BoolVar(&f.throttle, "throttle", false, "enforce Microsoft's throttling budgets (429 + Retry-After)")
	fl.Float64Var(&f.timeScale, "time-scale", 1, "speed throttling windows up by this factor")
	fl.Float64Var(&f.faultRate, "fault-rate", 0, "fraction of requests answered 503 or 504")
	fl.Float64Var(&f.slowRate, "slow-rate", 0, "fraction of requests delayed by --slow-delay")
	fl.DurationVar(&f.slowDelay, "slow-delay", 2*time.Second, "delay of slow responses")
	fl.Float64Var(&f.dropRate, "drop-rate", 0, "fraction of responses whose connection drops mid-body")
	fl.IntVar(&f.failAfter, "fail-after", 0, "after N requests every request fails (0: never)")
	fl.StringVar(&f.failMode, "fail-mode", "error", "how --fail-after fails: error (503) or drop")
	fl.StringVar(&f.bodyFault, "body-fault", "", "corrupt successful JSON answers: empty (no body), object ({}: a page without value) or truncated")
	fl.StringVar(&f.bodyFaultPath, "body-fault-path", "", "only answers to paths starting with this (e.g. /v1.0/users)")
	fl.IntVar(&f.bodyFaultSkip, "body-fault-skip", 0, "leave the first N answers --body-fault would hit intact")
	fl.StringVar(&f.tokenFault, "token-fault", "", "make the token endpoint fail: drop, 503, invalid_scope (AADSTS70011) or invalid_client (AADSTS7000215)")
	fl.IntVar(&f.tokenFaultCount, "token-fault-count", 0, "fail only the first N token requests (0: every one)")
	fl.StringVar(&f.state, "state", "", "persist changes to FILE so a restarted sim continues")
	fl.DurationVar(&f.tokenTTL, "token-ttl", 3599*time.Second, "access token lifetime")
	fl.StringVar(&f.certDir, "cert-dir", "", "directory for the CA file (default: a temp dir removed on exit)")
	fl.StringSliceVar(&f.orgs, "dataverse-org", []string{simtenant.DefaultOrg}, "Dataverse environments served under /dataverse/{org}")
}

func (f *simServeFlags) options() (simtenant.Options, error) {
	o := simtenant.Options{
		Addr: f.addr, Users: f.users, Seed: f.seed, TenantID: f.tenantID, ClientID: f.clientID, ClientSecret: f.clientSecret,
		Permissions: f.permissions, NoP1: f.noP1, ConcealedNames: f.concealed, HostileNames: f.hostile, Throttle: f.throttle, TimeScale: f.timeScale,
		FaultRate: f.faultRate, SlowRate: f.slowRate, SlowDelay: f.slowDelay, DropRate: f.dropRate, FailAfter: f.failAfter,
		FailMode: f.failMode, BodyFault: f.bodyFault, BodyFaultPath: f.bodyFaultPath, BodyFaultSkip: f.bodyFaultSkip,
		TokenFault: f.tokenFault, TokenFaultCount: f.tokenFaultCount, StateFile: f.state, TokenTTL: f.tokenTTL, CertDir: f.certDir, DataverseOrgs: f.orgs,
	}
	if f.users < 1 {
		return o, fmt.Errorf("invalid --users %d: want at least 1", f.users)
	}
	for name, v := range map[string]float64{"--fault-rate": f.faultRate, "--slow-rate": f.slowRate, "--drop-rate": f.dropRate} {
		if v < 0 || v > 1 {
			return o, fmt.Errorf("invalid %s %v: want a fraction between 0 and 1", name, v)
		}
	}
	if f.timeScale <= 0 {
		return o, fmt.Errorf("invalid --time-scale %v: want a positive factor", f.timeScale)
	}
	today, err := parseToday(f.today)
	if err != nil {
		return o, err
	}
	o.Today = today
	o.ManagedIdentityClientIDs = f.miClientIDs
	if (f.fedIssuer == "") != (len(f.fedSubjects) == 0) {
		return o, fmt.Errorf("--federated-issuer and --federated-subject go together")
	}
	for _, sub := range f.fedSubjects {
		o.FederatedCredentials = append(o.FederatedCredentials, simtenant.FederatedCredential{Issuer: f.fedIssuer, Subject: sub})
	}
	for _, path := range f.clientCerts {
		b, err := os.ReadFile(path)
		if err != nil {
			return o, fmt.Errorf("--client-cert: %w", err)
		}
		for {
			var blk *pem.Block
			blk, b = pem.Decode(b)
			if blk == nil {
				break
			}
			if blk.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(blk.Bytes)
			if err != nil {
				return o, fmt.Errorf("--client-cert %s: %w", path, err)
			}
			o.ClientCertificates = append(o.ClientCertificates, c)
		}
	}
	return o, nil
}

func parseToday(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return t, fmt.Errorf("invalid --today %q: want YYYY-MM-DD", s)
	}
	return t, nil
}

func newSimTruthCmd() *cobra.Command {
	var (
		users, from, count int
		seed               int64
		today              string
		hostile            bool
	)
	cmd := &cobra.Command{
		Use:   "truth",
		Short: "Print the generator's intent per user as JSON lines",
		Long: `Print, one JSON object per line, what the generator intended for each user:
kind, archetype, real last activity per workload and which licences are direct or
inherited from a group. Tests compare what reclaim derives against it.`,
		Example: `  reclaim sim truth --users 1000 --seed 42 --today 2026-11-20 | head
  reclaim sim truth --users 1000000 --seed 42 --from 5000 --count 10`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := parseToday(today)
			if err != nil {
				return err
			}
			if d.IsZero() {
				d = time.Now().UTC()
			}
			if users < 1 || from < 0 {
				return fmt.Errorf("invalid --users %d / --from %d", users, from)
			}
			t := simtenant.NewTenant(seed, users, d)
			if hostile {
				t.WithHostileNames()
			}
			end := users
			if count > 0 {
				end = min(users, from+count)
			}
			w := bufio.NewWriter(cmd.OutOrStdout())
			enc := json.NewEncoder(w)
			for i := from; i < end; i++ {
				if err := enc.Encode(t.Truth(i)); err != nil {
					return err
				}
			}
			return w.Flush()
		},
	}
	cmd.Flags().IntVar(&users, "users", 1000, "number of users in the tenant")
	cmd.Flags().Int64Var(&seed, "seed", 1, "tenant seed")
	cmd.Flags().StringVar(&today, "today", "", "pin the tenant's date, YYYY-MM-DD (default: today UTC)")
	cmd.Flags().BoolVar(&hostile, "hostile-names", false, "the tenant of sim serve --hostile-names")
	cmd.Flags().IntVar(&from, "from", 0, "first user index")
	cmd.Flags().IntVar(&count, "count", 0, "number of users to print (0: all)")
	return cmd
}
