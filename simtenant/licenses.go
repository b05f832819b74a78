package simtenant

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Licences: the users' assignedLicenses and licenseAssignmentStates, their
// licenseDetails, the tenant's subscribedSkus and subscriptions, and
// assignLicense.

// effectiveSkus are the SKUs the user holds (once each, errors excluded).
func effectiveSkus(lic []assignment) []int {
	var out []int
	for _, a := range lic {
		if a.state == "Error" || slices.Contains(out, a.sku) {
			continue
		}
		out = append(out, a.sku)
	}
	return out
}

func planIDs(idx []int) []string {
	out := make([]string, 0, len(idx))
	for _, p := range idx {
		out = append(out, servicePlans[p].ID)
	}
	return out
}

// writeAssignedLicenses writes user.assignedLicenses: one entry per SKU
// held, with the disabled plans of the direct assignment when there is one.
func writeAssignedLicenses(o *jsonObj, k string, x userView) {
	u := x.u
	// Written in place: o.b is the row being built.
	o.key(k)
	arr := append(o.b, '[')
	for n, sku := range effectiveSkus(u.lic) {
		if n > 0 {
			arr = append(arr, ',')
		}
		var dis []int
		found := false
		for _, a := range u.lic {
			if a.sku == sku && (!found || a.group < 0) {
				dis, found = a.disabled, true
			}
		}
		e := newObj(arr)
		e.strs("disabledPlans", planIDs(dis))
		e.str("skuId", skus[sku].ID)
		arr = e.close()
	}
	o.b = append(arr, ']')
}

// heldSkuRecords are assignedLicenses as $filter's any() walks them.
func heldSkuRecords(x userView) []filterRecord {
	var out []filterRecord
	for _, sk := range effectiveSkus(x.u.lic) {
		out = append(out, skuRecord(skus[sk].ID))
	}
	return out
}

// skuRecord is one assignedLicenses element: it answers skuId.
type skuRecord string

func (s skuRecord) get(p string) (any, bool) {
	if strings.EqualFold(p, "skuId") {
		return string(s), true
	}
	return nil, false
}
func (s skuRecord) each(string) []filterRecord { return nil }

// writeLicenseAssignmentStates writes user.licenseAssignmentStates: one
// entry per assignment path (direct or each group), errors included.
func writeLicenseAssignmentStates(o *jsonObj, k string, x userView) {
	s, u := x.s, x.u
	// Written in place: o.b is the row being built.
	o.key(k)
	arr := append(o.b, '[')
	for n, a := range u.lic {
		if n > 0 {
			arr = append(arr, ',')
		}
		e := newObj(arr)
		if a.group >= 0 {
			e.str("assignedByGroup", groups[a.group].ID)
		} else {
			e.null("assignedByGroup")
		}
		e.strs("disabledPlans", planIDs(a.disabled))
		e.str("error", firstNonEmpty(a.err, "None"))
		if s.opts.MicrosoftQuirks && n == 0 {
			e.str("lastUpdatedDateTime", zeroTime)
		} else {
			e.str("lastUpdatedDateTime", graphTime(s.t.created(u).Add(time.Duration(hashOf(uint64(u.idx), uint64(a.sku))%(48*3600))*time.Second)))
		}
		if s.opts.MicrosoftQuirks {
			e.str("skuId", strings.ToUpper(skus[a.sku].ID)) // as in the assignLicense reference example
		} else {
			e.str("skuId", skus[a.sku].ID)
		}
		e.str("state", a.state)
		arr = e.close()
	}
	o.b = append(arr, ']')
}

// appendServicePlans writes a servicePlans array of a SKU's plans, those
// in disabled as "Disabled".
func appendServicePlans(b []byte, plans, disabled []int) []byte {
	b = append(b, '[')
	for n, p := range plans {
		if n > 0 {
			b = append(b, ',')
		}
		po := newObj(b)
		po.str("servicePlanId", servicePlans[p].ID)
		po.str("servicePlanName", servicePlans[p].Name)
		status := "Success"
		if slices.Contains(disabled, p) {
			status = "Disabled"
		}
		po.str("provisioningStatus", status)
		po.str("appliesTo", "User")
		b = po.close()
	}
	return append(b, ']')
}

func (s *Server) handleLicenseDetails(w http.ResponseWriter, r *http.Request) {
	i := s.userOf(w, r, r.PathValue("id"))
	if i < 0 {
		return
	}
	u := s.current(i)
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#users('"+u.id+"')/licenseDetails")
	arr := []byte{'['}
	for n, k := range effectiveSkus(u.lic) {
		if n > 0 {
			arr = append(arr, ',')
		}
		var dis []int
		for _, a := range u.lic {
			if a.sku == k && a.group < 0 {
				dis = a.disabled
			}
		}
		e := newObj(arr)
		var idb [16]byte
		binary.BigEndian.PutUint64(idb[:8], hashOf(uint64(s.opts.Seed), uint64(i)))
		binary.BigEndian.PutUint64(idb[8:], hashOf(uint64(k)))
		e.str("id", base64.RawURLEncoding.EncodeToString(idb[:]))
		e.str("skuId", skus[k].ID)
		e.str("skuPartNumber", skus[k].PartNumber)
		e.raw("servicePlans", appendServicePlans(nil, skus[k].plans, dis))
		arr = e.close()
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

// ---- subscribedSkus and directory/subscriptions ----

// servedSkus is the catalog SKUs the tenant owns (indices into skus): all of
// them but Entra ID P1 when NoP1.
func (s *Server) servedSkus() []int {
	var out []int
	for k := range skus {
		if k != skuEntraP1 || !s.opts.NoP1 {
			out = append(out, k)
		}
	}
	return out
}

// subscriptionID is the id of SKU k's one subscription (subscribedSkus'
// subscriptionIds, directory/subscriptions' id).
func (s *Server) subscriptionID(k int) string {
	return guidFrom(hashOf(uint64(s.opts.Seed), 77, uint64(k)), hashOf(uint64(k), 78))
}

// trialSku is the catalog SKU whose one subscription is a free trial: small
// (Exchange Online Plan 1, which no example rule removes, so the demo and CLI
// tests keep their one-way counts) and the same in every tenant.
const trialSku = skuExchangeP1

// handleSubscriptions serves companySubscription objects consistent with
// subscribedSkus: one subscription per SKU, its id the SKU's subscriptionIds
// entry and totalLicenses its prepaid seats. The trial ends 20 days after
// Today; paid subscriptions renew in 200 days.
func (s *Server) handleSubscriptions(w http.ResponseWriter, r *http.Request) {
	if s.unsupportedOptions(w, r, "$filter", "$top", "$orderby", "$search", "$select") {
		return
	}
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#directory/subscriptions")
	arr := []byte{'['}
	day := s.opts.Today.UTC().Truncate(24 * time.Hour)
	for i, k := range s.servedSkus() {
		sk := skus[k]
		if i > 0 {
			arr = append(arr, ',')
		}
		next := day.AddDate(0, 0, 200)
		if k == trialSku {
			next = day.AddDate(0, 0, 20)
		}
		e := newObj(arr)
		e.str("createdDateTime", day.AddDate(-1, 0, 0).Format(time.RFC3339))
		e.str("commerceSubscriptionId", guidFrom(hashOf(uint64(s.opts.Seed), 79, uint64(k)), hashOf(uint64(k), 80)))
		e.str("id", s.subscriptionID(k))
		e.boolean("isTrial", k == trialSku)
		e.str("nextLifecycleDateTime", next.Format(time.RFC3339))
		e.str("skuId", sk.ID)
		e.str("skuPartNumber", sk.PartNumber)
		e.str("status", "Enabled")
		e.integer("totalLicenses", int64(s.prepaid(k)))
		e.str("ownerType", "User")
		arr = e.close()
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

// skuView is one subscribedSku: catalog SKU k and its consumed seats.
type skuView struct {
	s        *Server
	k        int
	consumed int
}

// skuEntity is microsoft.graph.subscribedSku; Graph returns every property
// by default and filters on none.
var skuEntity = newEntity("subscribedSku",
	text("accountName", func(x skuView) string { return "contoso" }).byDefault(),
	text("accountId", func(x skuView) string { return x.s.opts.TenantID }).byDefault(),
	text("appliesTo", func(x skuView) string { return "User" }).byDefault(),
	text("capabilityStatus", func(x skuView) string { return "Enabled" }).byDefault(),
	integer("consumedUnits", func(x skuView) int64 { return int64(x.consumed) }).byDefault(),
	text("id", func(x skuView) string { return x.s.opts.TenantID + "_" + skus[x.k].ID }).byDefault(),
	text("skuId", func(x skuView) string { return skus[x.k].ID }).byDefault(),
	text("skuPartNumber", func(x skuView) string { return skus[x.k].PartNumber }).byDefault(),
	custom("subscriptionIds", func(o *jsonObj, k string, x skuView) { o.strs(k, []string{x.s.subscriptionID(x.k)}) }).byDefault(),
	custom("prepaidUnits", func(o *jsonObj, k string, x skuView) {
		pu := newObj(nil)
		pu.integer("enabled", int64(x.s.prepaid(x.k)))
		pu.integer("suspended", 0)
		pu.integer("warning", 0)
		pu.integer("lockedOut", 0)
		o.raw(k, pu.close())
	}).byDefault(),
	custom("servicePlans", func(o *jsonObj, k string, x skuView) {
		o.raw(k, appendServicePlans(nil, skus[x.k].plans, nil))
	}).byDefault(),
)

func (s *Server) handleSubscribedSkus(w http.ResponseWriter, r *http.Request) {
	if s.unsupportedOptions(w, r, "$filter", "$top", "$orderby", "$search") {
		return
	}
	sel, ok := selected(s, w, r, skuEntity, skuEntity.def)
	if !ok {
		return
	}
	s.state.mu.RLock()
	consumed := s.consumedLocked()
	s.state.mu.RUnlock()
	o := newObj(nil)
	o.str("@odata.context", s.url+"/v1.0/$metadata#subscribedSkus")
	arr := []byte{'['}
	for i, k := range s.servedSkus() {
		if i > 0 {
			arr = append(arr, ',')
		}
		e := newObj(arr)
		sel.write(e, skuView{s, k, consumed[k]})
		arr = e.close()
	}
	o.raw("value", append(arr, ']'))
	writeJSON(w, 200, o.close())
}

// ---- assignLicense ----

type licenseInput struct {
	SkuID         string   `json:"skuId"`
	DisabledPlans []string `json:"disabledPlans"`
}

// Messages Microsoft returns (graph-api-detail.md §6.1); the ones marked
// there as unverified are documented in docs/simulator.md.
const (
	msgInherited      = "User license is inherited from a group membership and it cannot be removed directly from the user."
	msgNoSuchLicense  = "User does not have a corresponding license."
	msgUsageLocation  = "License assignment cannot be done for user with invalid usage location."
	fmtInvalidLicense = "License %s does not correspond to a valid company License."
	fmtNoSeats        = "Subscription with SKU %s does not have any available licenses."
)

// assignLicenseReply is what assignLicense answers with: the user's default
// properties, accountEnabled and assignedLicenses.
var assignLicenseReply = userEntity.selectNames(append(userEntity.def.names(), "accountEnabled", "assignedLicenses")...)

func (s *Server) handleAssignLicense(w http.ResponseWriter, r *http.Request) {
	i := s.userOf(w, r, r.PathValue("id"))
	if i < 0 {
		return
	}
	var body struct {
		AddLicenses    *[]licenseInput `json:"addLicenses"`
		RemoveLicenses *[]string       `json:"removeLicenses"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		s.graphError(w, r, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	var missing []string
	if body.AddLicenses == nil {
		missing = append(missing, "addLicenses")
	}
	if body.RemoveLicenses == nil {
		missing = append(missing, "removeLicenses")
	}
	if len(missing) > 0 {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "One or more parameters of the operation 'assignLicense' are missing from the request payload. The missing parameters are: "+strings.Join(missing, ", ")+".")
		return
	}
	if len(*body.AddLicenses) == 0 && len(*body.RemoveLicenses) == 0 {
		s.graphError(w, r, http.StatusBadRequest, "Request_BadRequest", "No license changes provided. At least one license to add or remove must be specified.")
		return
	}
	s.state.mu.Lock()
	u := s.licensedLocked(i)
	lic := append([]assignment(nil), u.lic...)
	fail := func(msg string, details []map[string]string) {
		s.state.mu.Unlock()
		s.graphErrorDetails(w, r, http.StatusBadRequest, "Request_BadRequest", msg, details)
	}
	for _, id := range *body.RemoveLicenses {
		k := skuIndexByID(id)
		if k < 0 {
			fail(fmt.Sprintf(fmtInvalidLicense, id), nil)
			return
		}
		direct, inherited := -1, false
		for n, a := range lic {
			if a.sku == k {
				if a.group < 0 {
					direct = n
				} else {
					inherited = true
				}
			}
		}
		switch {
		case direct >= 0:
			lic = append(lic[:direct], lic[direct+1:]...)
		case inherited:
			fail(msgInherited, nil)
			return
		default:
			fail(msgNoSuchLicense, nil)
			return
		}
	}
	consumed := s.consumedLocked()
	for _, add := range *body.AddLicenses {
		k := skuIndexByID(add.SkuID)
		if k < 0 {
			fail(fmt.Sprintf(fmtInvalidLicense, add.SkuID), nil)
			return
		}
		if u.usageLocation == "" {
			fail(msgUsageLocation, nil)
			return
		}
		var dis []int
		for _, p := range add.DisabledPlans {
			pi := planIndexByID(p)
			if pi < 0 || !slices.Contains(skus[k].plans, pi) {
				fail(fmt.Sprintf("Invalid disabled plan %s: it is not a service plan of license %s.", p, add.SkuID), nil)
				return
			}
			dis = append(dis, pi)
		}
		replaced := false
		for n := range lic {
			if lic[n].sku == k && lic[n].group < 0 {
				lic[n].disabled, replaced = dis, true
			}
		}
		if replaced {
			continue
		}
		if !holds(lic, k) && !holds(u.lic, k) && consumed[k] >= s.prepaid(k) {
			fail(fmt.Sprintf(fmtNoSeats, skus[k].ID), []map[string]string{{"code": "CountViolation", "message": fmt.Sprintf(fmtNoSeats, skus[k].ID), "target": skus[k].ID}})
			return
		}
		if !holds(lic, k) {
			consumed[k]++
		}
		lic = append(lic, assignment{sku: k, group: -1, disabled: dis, state: "Active"})
	}
	s.state.users[i] = &userState{lic: lic, groups: u.groups}
	s.state.version++
	err := s.saveLocked()
	s.state.mu.Unlock()
	if err != nil {
		s.graphError(w, r, http.StatusInternalServerError, "generalException", "simulated tenant could not persist its state: "+err.Error())
		return
	}
	writeJSON(w, 200, entityResponse(s.url+"/v1.0/$metadata#users/$entity", s.appendUser(nil, s.current(i), assignLicenseReply, false)))
}
