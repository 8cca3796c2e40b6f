package transform

// MustAmount is ParseAmount for literals in tests.
func MustAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// The bodies the benchmarks decode, for the gateway benchmarks.
const (
	BenchOrderBody   = benchOrderBody
	BenchMinimalBody = benchMinimalBody
)

// MaxFieldRunes bounds a field path in errors.
const MaxFieldRunes = maxFieldRunes
