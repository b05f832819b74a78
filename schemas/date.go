package schemas

import "time"

// Date is a calendar day stored as a Parquet DATE: days since 1970-01-01.
// Report columns use *Date (nil is NULL). It exists because parquet-go v0.32
// writes time.Time fields tagged "date" as garbage (DuckDB reads year 5697354
// BC); an int32-kinded type with the "date" tag is written correctly.
type Date int32

// DateOf is the day t falls on in UTC.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return Date(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return DateOf(t), nil
}

// Time is midnight UTC of the day.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats the day as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(time.DateOnly) }
