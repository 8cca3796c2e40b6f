package transform

// AppendQueryEscape writes s as url.QueryEscape does: letters, digits and
// - _ . ~ as they are, a space as +, every other byte as %XX (upper-case
// hex). Form bodies (Juspay) are built with it without url.Values.
func AppendQueryEscape(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return b
}

const upperHex = "0123456789ABCDEF"
