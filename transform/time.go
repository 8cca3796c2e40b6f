package transform

import "time"

// Times: every time paygate reports is RFC 3339 in UTC, whatever the
// gateway wrote. The parsers get no clock: a time is read from the body or
// passed in.

// IST is India Standard Time, UTC+05:30, for the Indian gateways' times
// that carry no zone. A fixed zone keeps transform free of the tz database.
var IST = time.FixedZone("IST", 5*3600+30*60)

// UTC formats t as RFC 3339 in UTC.
func UTC(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// UnixToRFC3339 formats unix seconds as RFC 3339 in UTC; 0 gives "".
func UnixToRFC3339(sec int64) string {
	if sec <= 0 {
		return ""
	}
	return UTC(time.Unix(sec, 0))
}

// UnixTextToRFC3339 formats unix seconds written as digits (a JSON number
// literal) as RFC 3339 in UTC; ok is false for anything else.
func UnixTextToRFC3339(s string) (string, bool) {
	if s == "" || len(s) > 12 {
		return "", false
	}
	var sec int64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
		sec = sec*10 + int64(s[i]-'0')
	}
	if sec <= 0 {
		return "", false
	}
	return UTC(time.Unix(sec, 0)), true
}

// RFC3339ToUTC normalises an RFC 3339 time to UTC.
func RFC3339ToUTC(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", false
	}
	return UTC(t), true
}

// LocalToUTC reads s with the first of layouts that fits, in zone loc, and
// formats it as RFC 3339 in UTC.
func LocalToUTC(s string, loc *time.Location, layouts ...string) (string, bool) {
	for _, layout := range layouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return UTC(t), true
		}
	}
	return "", false
}
