// Package secret owns the one redacted type for credentials (client secrets,
// certificate passwords). It is a leaf so that both the config language
// (pipeline/config, which decodes secrets) and the Microsoft client (msgraph,
// which sends them) hold secrets in the same type without importing each
// other.
package secret

import (
	"fmt"
	"io"
)

// Secret holds a credential. Its String and GoString never reveal the value,
// so a Secret can be logged or formatted by accident without leaking.
// The zero value is "no secret".
type Secret struct{ value string }

// New wraps a value that must never be printed.
func New(v string) Secret { return Secret{value: v} }

// Reveal returns the value; call it only where the secret is sent to Microsoft.
func (s Secret) Reveal() string { return s.value }

// IsSet reports whether a non-empty secret is present.
func (s Secret) IsSet() bool { return s.value != "" }

func (s Secret) String() string   { return "(sensitive)" }
func (s Secret) GoString() string { return "(sensitive)" }

// Format covers the verbs String and GoString do not (%d, %t, %p, ...),
// which would otherwise print the struct's field.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = io.WriteString(f, "(sensitive)") }

// MarshalText keeps secrets out of JSON and other encodings.
func (s Secret) MarshalText() ([]byte, error) { return []byte("(sensitive)"), nil }
