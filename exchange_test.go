package paygate

import "testing"

func TestMasking(t *testing.T) {
	for in, want := range map[string]string{
		"9816512345": "******2345", "+919816512345": "*********2345", "1234": "****", "12": "**", "": "",
	} {
		if got := maskPhone(in); got != want {
			t.Errorf("maskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"ajay@example.com": "a***@***.com", "a@b.co": "a***@***.co", "noatsign": "***", "@x.com": "***",
		"élise@maison.fr": "é***@***.fr", "x@localhost": "x***@***",
	} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}
