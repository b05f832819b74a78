package ui

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// english formats numbers for people (1,234,567), through x/text rather
// than a hand-written digit grouper.
var english = message.NewPrinter(language.English)

// Thousands is n with thousands separators: 53000 → "53,000".
func Thousands(n int) string { return english.Sprintf("%d", n) }
