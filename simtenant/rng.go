package simtenant

import (
	"encoding/binary"
	"fmt"
)

// mix64 is the splitmix64 finaliser: a fast, well-distributed 64-bit hash.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashOf combines values into one 64-bit hash; it is the only source of
// randomness in the simulator, which keeps every response reproducible.
func hashOf(vals ...uint64) uint64 {
	h := uint64(0x243f6a8885a308d3)
	for _, v := range vals {
		h = mix64(h ^ v)
	}
	return h
}

// rng is a tiny splitmix64 PRNG; each user and each day gets its own.
type rng struct{ s uint64 }

func newRNG(vals ...uint64) *rng { return &rng{s: hashOf(vals...)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns a uniform int in [0, n).
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// between returns a uniform int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return float64(r.next()>>11)/(1<<53) < p }

// guidFrom formats 16 bytes of hash as a version-4-looking GUID.
func guidFrom(a, b uint64) string {
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], a)
	binary.BigEndian.PutUint64(buf[8:], b)
	buf[6] = buf[6]&0x0f | 0x40
	buf[8] = buf[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", buf[0:4], buf[4:6], buf[6:8], buf[8:10], buf[10:16])
}

// Salts keep the hash streams of different derived values independent.
const (
	saltUser uint64 = iota + 1
	saltID
	saltIDRest
	saltFeistel
	saltSignIn
	saltAudit
	saltReport
	saltConceal
	saltRequest
	saltSystemUser
	saltFault
	saltToken
)

// feistel32 is a keyed permutation of uint32: user ids carry the permuted
// index in their first 8 hex digits so GET /users/{id} needs no lookup table.
func feistel32(x uint32, key uint64, inverse bool) uint32 {
	l, r := uint16(x>>16), uint16(x)
	if !inverse {
		for round := uint64(0); round < 4; round++ {
			l, r = r, l^uint16(hashOf(key, round, uint64(r)))
		}
	} else {
		for round := uint64(4); round > 0; round-- {
			l, r = r^uint16(hashOf(key, round-1, uint64(l))), l
		}
	}
	return uint32(l)<<16 | uint32(r)
}
