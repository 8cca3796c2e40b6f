package transform

import (
	"errors"
	"fmt"
	"strings"
)

// PathPattern is a compiled passthrough path pattern (README "Passthrough"):
// "/"-separated segments, each a literal or "*", which matches exactly one
// non-empty segment. Matching allocates nothing.
//
// Request paths are matched segment by segment and only segments made of
// plain characters can match: a path that a server behind the gateway could
// read differently from us (".", "..", "..;", an empty segment, a
// backslash, a percent-escape) never matches any pattern, so the path the
// allow-list saw is the path the gateway gets.
type PathPattern struct {
	text string
	segs []string // "" is the wildcard; literals are never empty
}

// maxPatternSegments bounds a pattern; gateway paths have a handful.
const maxPatternSegments = 32

// ParsePathPattern compiles a pattern such as /v1/payments/*/capture.
func ParsePathPattern(s string) (PathPattern, error) {
	if !strings.HasPrefix(s, "/") {
		return PathPattern{}, fmt.Errorf("path pattern %q must start with /", Clip(strings.TrimSpace(s), 120))
	}
	if s == "/" {
		return PathPattern{}, errors.New("path pattern / names no path; list the gateway paths to allow")
	}
	parts := strings.Split(s[1:], "/")
	if len(parts) > maxPatternSegments {
		return PathPattern{}, fmt.Errorf("path pattern %q has more than %d segments", Clip(strings.TrimSpace(s), 120), maxPatternSegments)
	}
	p := PathPattern{text: s, segs: make([]string, len(parts))}
	for i, seg := range parts {
		switch {
		case seg == "*":
			// wildcard: p.segs[i] stays ""
		case seg == "":
			return PathPattern{}, fmt.Errorf("path pattern %q has an empty segment (// or a trailing /)", Clip(strings.TrimSpace(s), 120))
		case strings.Contains(seg, "*"):
			return PathPattern{}, fmt.Errorf("path pattern %q: * must be a whole segment", Clip(strings.TrimSpace(s), 120))
		case !safeSegment(seg):
			return PathPattern{}, fmt.Errorf("path pattern %q: segment %q may hold only letters, digits and - . _ ~ : @ + , = (and not only dots)", Clip(strings.TrimSpace(s), 120), Clip(strings.TrimSpace(seg), 120))
		default:
			p.segs[i] = seg
		}
	}
	return p, nil
}

// String is the pattern as written.
func (p PathPattern) String() string { return p.text }

// Match reports whether path (a request's decoded path) matches: the same
// number of segments, each literal equal (case-sensitive), each "*" a
// non-empty segment, and every segment plain (see PathPattern).
func (p PathPattern) Match(path string) bool {
	if len(p.segs) == 0 || !strings.HasPrefix(path, "/") {
		return false
	}
	rest := path[1:]
	for i, want := range p.segs {
		seg := rest
		j := strings.IndexByte(rest, '/')
		last := i == len(p.segs)-1
		switch {
		case j < 0 && !last:
			return false // the path is shorter
		case j >= 0 && last:
			return false // the path is longer, or ends with /
		case j >= 0:
			seg, rest = rest[:j], rest[j+1:]
		}
		if !safeSegment(seg) || (want != "" && seg != want) {
			return false
		}
	}
	return true
}

// safeSegment reports whether a path segment is non-empty, made only of
// letters, digits and - . _ ~ : @ + , = (RFC 3986 unreserved characters and
// a few sub-delimiters that no server treats as structure), and not only
// dots ("." and ".." climb; some servers trim trailing dots).
func safeSegment(s string) bool {
	if s == "" {
		return false
	}
	dots := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			dots = false
		case c == '.':
		case c == '-', c == '_', c == '~', c == ':', c == '@', c == '+', c == ',', c == '=':
			dots = false
		default:
			return false
		}
	}
	return !dots
}
