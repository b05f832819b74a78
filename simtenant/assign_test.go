package simtenant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// findUser returns the first user index whose truth satisfies pred.
func findUser(t *testing.T, srv *Server, pred func(UserTruth) bool) int {
	t.Helper()
	for i := 0; i < srv.Tenant().Users(); i++ {
		if pred(srv.Truth(i)) {
			return i
		}
	}
	t.Fatal("no user matches; pick another seed or more users")
	return -1
}

func licPaths(tr UserTruth, sku string) (direct, group bool) {
	for _, l := range tr.Licenses {
		if l.SkuID == sku {
			if l.Direct {
				direct = true
			} else {
				group = true
			}
		}
	}
	return
}

func assignBody(add []string, remove []string) string {
	var a []map[string]any
	for _, s := range add {
		a = append(a, map[string]any{"skuId": s, "disabledPlans": []string{}})
	}
	if a == nil {
		a = []map[string]any{}
	}
	if remove == nil {
		remove = []string{}
	}
	b, _ := json.Marshal(map[string]any{"addLicenses": a, "removeLicenses": remove})
	return string(b)
}

func TestAssignLicense(t *testing.T) {
	srv, c := startSim(t, Options{Users: 600, Seed: 21})
	tok := tokenFor(t, srv, c, "")
	e3 := skus[skuM365E3].ID
	post := func(key, body string) (int, []byte) {
		resp, b := do(t, c, "POST", srv.URL()+"/v1.0/users/"+key+"/assignLicense", tok, body)
		return resp.StatusCode, b
	}

	// Direct removal: visible in the next GET and in consumedUnits.
	i := findUser(t, srv, func(tr UserTruth) bool { d, g := licPaths(tr, e3); return d && !g })
	id := srv.Truth(i).ID
	before := getSkus(t, srv, c, tok)[e3].ConsumedUnits
	if st, b := post(id, assignBody(nil, []string{e3})); st != 200 {
		t.Fatalf("remove: %d %s", st, b)
	} else if m := mustJSON(t, b); m["id"] != id {
		t.Errorf("assignLicense returned %s", b)
	}
	_, b := get(t, c, srv.URL()+"/v1.0/users/"+id+"?$select=assignedLicenses,licenseAssignmentStates", tok)
	if bytes.Contains(b, []byte(e3)) {
		t.Errorf("licence still assigned after removal: %s", b)
	}
	if after := getSkus(t, srv, c, tok)[e3].ConsumedUnits; after != before-1 {
		t.Errorf("consumedUnits %d -> %d, want -1", before, after)
	}
	// Removing it again: the user no longer has it.
	if st, b := post(id, assignBody(nil, []string{e3})); st != 400 || !strings.Contains(string(b), msgNoSuchLicense) {
		t.Errorf("second removal: %d %s", st, b)
	}
	// Undo: add it back.
	if st, b := post(id, assignBody([]string{e3}, nil)); st != 200 {
		t.Errorf("re-add: %d %s", st, b)
	}
	if after := getSkus(t, srv, c, tok)[e3].ConsumedUnits; after != before {
		t.Errorf("consumedUnits after undo %d, want %d", after, before)
	}

	// Group-inherited only: Microsoft's error.
	g := findUser(t, srv, func(tr UserTruth) bool { d, g := licPaths(tr, e3); return g && !d })
	st, b := post(srv.Truth(g).ID, assignBody(nil, []string{e3}))
	if code, msg := graphErrorCode(t, b); st != 400 || code != "Request_BadRequest" || msg != msgInherited {
		t.Errorf("inherited removal: %d %s", st, b)
	}
	// Direct and group: removing the direct path keeps the seat.
	dg := findUser(t, srv, func(tr UserTruth) bool { d, g := licPaths(tr, e3); return g && d })
	before = getSkus(t, srv, c, tok)[e3].ConsumedUnits
	if st, b := post(srv.Truth(dg).ID, assignBody(nil, []string{e3})); st != 200 {
		t.Fatalf("remove direct of direct+group: %d %s", st, b)
	}
	if d, g := licPaths(srv.Truth(dg), e3); d || !g {
		t.Errorf("after removal direct=%v group=%v", d, g)
	}
	if after := getSkus(t, srv, c, tok)[e3].ConsumedUnits; after != before {
		t.Errorf("removing the direct path of a group licence changed consumedUnits %d -> %d", before, after)
	}

	// Unknown SKU, missing key, no seats.
	unknown := "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"
	if st, b := post(id, assignBody(nil, []string{unknown})); st != 400 || !strings.Contains(string(b), fmt.Sprintf(fmtInvalidLicense, unknown)) {
		t.Errorf("unknown sku: %d %s", st, b)
	}
	if st, b := post(id, `{"addLicenses":[]}`); st != 400 || !strings.Contains(string(b), "removeLicenses") {
		t.Errorf("missing removeLicenses: %d %s", st, b)
	}
	if st, b := post(id, assignBody(nil, nil)); st != 400 || !strings.Contains(string(b), "No license changes provided") {
		t.Errorf("empty change: %d %s", st, b)
	}
	proj := skus[skuProjectP5].ID
	np := findUser(t, srv, func(tr UserTruth) bool {
		d, g := licPaths(tr, proj)
		return !d && !g && tr.Kind == KindMember && tr.Index > 0
	})
	if srv.Truth(np).UserType != "Member" {
		t.Fatal("want a member")
	}
	if st, b := post(srv.Truth(np).ID, assignBody([]string{proj}, nil)); st != 400 || !strings.Contains(string(b), "CountViolation") {
		t.Errorf("no seats: %d %s", st, b)
	}
}

func TestGroupMembershipRemovalAndUndo(t *testing.T) {
	srv, c := startSim(t, Options{Users: 300, Seed: 21})
	tok := tokenFor(t, srv, c, "")
	e3 := skus[skuM365E3].ID
	gid := groups[grpE3].ID
	i := findUser(t, srv, func(tr UserTruth) bool { d, g := licPaths(tr, e3); return g && !d })
	id := srv.Truth(i).ID
	before := getSkus(t, srv, c, tok)[e3].ConsumedUnits
	resp, b := do(t, c, "DELETE", srv.URL()+"/v1.0/groups/"+gid+"/members/"+id+"/$ref", tok, "")
	if resp.StatusCode != 204 {
		t.Fatalf("remove member: %d %s", resp.StatusCode, b)
	}
	if _, g := licPaths(srv.Truth(i), e3); g {
		t.Error("group licence kept after leaving the group")
	}
	if after := getSkus(t, srv, c, tok)[e3].ConsumedUnits; after != before-1 {
		t.Errorf("consumedUnits %d -> %d", before, after)
	}
	resp, _ = do(t, c, "DELETE", srv.URL()+"/v1.0/groups/"+gid+"/members/"+id+"/$ref", tok, "")
	if resp.StatusCode != 404 {
		t.Errorf("second removal: %d", resp.StatusCode)
	}
	resp, b = do(t, c, "POST", srv.URL()+"/v1.0/groups/"+gid+"/members/$ref", tok, `{"@odata.id":"https://graph.microsoft.com/v1.0/directoryObjects/`+id+`"}`)
	if resp.StatusCode != 204 {
		t.Fatalf("add member: %d %s", resp.StatusCode, b)
	}
	if _, g := licPaths(srv.Truth(i), e3); !g {
		t.Error("group licence missing after rejoining")
	}
	// transitiveMembers lists the user.
	found := false
	next := srv.URL() + "/v1.0/groups/" + gid + "/transitiveMembers?$select=id&$top=50"
	for next != "" {
		_, b := get(t, c, next, tok)
		var p usersPage
		json.Unmarshal(b, &p)
		for _, u := range p.Value {
			if u["id"] == id && u["@odata.type"] == "#microsoft.graph.user" {
				found = true
			}
		}
		next = p.NextLink
	}
	if !found {
		t.Error("rejoined user not in transitiveMembers")
	}
}
