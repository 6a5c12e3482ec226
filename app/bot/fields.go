package bot

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"balcao/app/hours"
	"balcao/app/store"
	"balcao/app/words"
)

// maxAnswer bounds one stored answer (a WhatsApp text is at most 4,096).
const maxAnswer = 4096

// fieldValue reads the value of field f from the message, or returns the
// pt-BR reason it cannot (to show before asking again).
func fieldValue(f Field, in *message) (value, media string, problem string) {
	switch f.Type {
	case FieldMedia:
		return mediaValue(in)
	case FieldLocation:
		return locationValue(in)
	}
	// Every other type is typed text; a photo's caption counts as text.
	txt := in.text
	if in.kind == kindMedia {
		if txt == "" {
			return "", "", txtWantTextNotMedia
		}
		media = in.mediaID
	}
	switch in.kind {
	case kindLocation:
		return "", "", txtWantTextNotLocation
	case kindSticker, kindAudio, kindReaction, kindContacts, kindOther:
		return "", "", txtWantText
	}
	switch f.Type {
	case FieldCPF:
		v, ok := ParseCPF(txt)
		if !ok {
			return "", "", txtBadCPF
		}
		return v, "", ""
	case FieldPhone:
		v, ok := ParsePhone(txt)
		if !ok {
			return "", "", txtBadPhone
		}
		return v, "", ""
	case FieldDate:
		v, ok := ParseDate(txt, in.now)
		if !ok {
			return "", "", txtBadDate
		}
		return v, "", ""
	case FieldChoice:
		v, ok := choiceValue(f, in)
		if !ok {
			return "", "", txtBadChoice
		}
		return v, "", ""
	}
	if !hasWords(txt, 2) {
		return "", "", txtWantWords
	}
	return truncate(txt, maxAnswer), media, ""
}

// hasWords reports whether s has at least n letters or digits.
func hasWords(s string, n int) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if n--; n <= 0 {
				return true
			}
		}
	}
	return false
}

func mediaValue(in *message) (value, media, problem string) {
	switch in.kind {
	case kindMedia:
		v := in.text
		if v == "" {
			v = txtMediaReceived
		}
		return truncate(v, maxAnswer), in.mediaID, ""
	case kindSticker:
		return "", "", txtWantMediaNotSticker
	}
	return "", "", txtWantMedia
}

func locationValue(in *message) (value, media, problem string) {
	switch in.kind {
	case kindLocation:
		l := in.location
		var parts []string
		for _, s := range []string{l.Name, l.Address} {
			if s = strings.TrimSpace(s); s != "" {
				parts = append(parts, s)
			}
		}
		where := fmt.Sprintf("%.6f, %.6f", l.Latitude, l.Longitude)
		if len(parts) > 0 {
			where = strings.Join(parts, ", ") + " (" + where + ")"
		}
		return truncate(where+" "+mapsURL(l.Latitude, l.Longitude), maxAnswer), "", ""
	case kindText:
		if len([]rune(in.text)) >= 5 && hasLetters(in.text, 3) {
			return truncate(in.text, maxAnswer), "", ""
		}
		return "", "", txtBadAddress
	}
	return "", "", txtWantLocation
}

// mapsURL opens the point on a map, for the clerk.
func mapsURL(lat, lng float64) string {
	return fmt.Sprintf("https://maps.google.com/?q=%.6f,%.6f", lat, lng)
}

func hasLetters(s string, n int) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			if n--; n <= 0 {
				return true
			}
		}
	}
	return false
}

// choiceValue reads one of f.Options: tapped, by number, or by its words.
func choiceValue(f Field, in *message) (string, bool) {
	if id, ok := strings.CutPrefix(in.replyID, idChoice); ok {
		if i, err := strconv.Atoi(id); err == nil && i >= 0 && i < len(f.Options) {
			return f.Options[i], true
		}
	}
	if n, ok := parseNumber(in.norm); ok && n >= 1 && n <= len(f.Options) {
		return f.Options[n-1], true
	}
	if in.norm == "" {
		return "", false
	}
	found := -1
	for i, o := range f.Options {
		on := normalize(o)
		if on == in.norm {
			return o, true
		}
		if strings.HasPrefix(on, in.norm+" ") || strings.HasPrefix(in.norm, on+" ") {
			if found >= 0 {
				return "", false
			}
			found = i
		}
	}
	if found >= 0 {
		return f.Options[found], true
	}
	// Yes/no questions also take "s", "n", 👍…
	if len(f.Options) == 2 {
		yn := yesNo(in.norm, in.raw)
		for i, o := range f.Options {
			if (yn > 0 && normalize(o) == "sim") || (yn < 0 && normalize(o) == "nao") {
				return f.Options[i], true
			}
		}
	}
	return "", false
}

// ParseCPF reads a CPF typed with or without punctuation and returns it as
// 000.000.000-00 when its check digits are right.
func ParseCPF(s string) (string, bool) {
	d := digits(s)
	if len(d) != 11 || strings.Count(d, d[:1]) == 11 || strings.IndexFunc(s, notCPFRune) >= 0 {
		return "", false
	}
	for _, n := range []int{9, 10} {
		sum := 0
		for i := range n {
			sum += int(d[i]-'0') * (n + 1 - i)
		}
		check := sum * 10 % 11 % 10
		if int(d[n]-'0') != check {
			return "", false
		}
	}
	return d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:], true
}

// notCPFRune is true for runes that cannot be part of a typed CPF.
func notCPFRune(r rune) bool {
	return !unicode.IsDigit(r) && !strings.ContainsRune(".-/ ", r)
}

// ParsePhone reads a Brazilian phone number with area code (with or without
// +55, a leading 0, spaces and punctuation) and returns it as (17) 98888-7777
// or (17) 3333-4444.
func ParsePhone(s string) (string, bool) {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) }) >= 0 {
		return "", false
	}
	d := digits(s)
	if (len(d) == 12 || len(d) == 13) && strings.HasPrefix(d, "55") {
		d = d[2:]
	}
	if (len(d) == 11 || len(d) == 12) && d[0] == '0' {
		d = d[1:]
	}
	if len(d) != 10 && len(d) != 11 {
		return "", false
	}
	if d[0] == '0' || d[1] == '0' {
		return "", false // area codes are 11 to 99, without a zero
	}
	local := d[2:]
	switch {
	case len(local) == 9 && local[0] != '9':
		return "", false // mobile numbers start with 9
	case len(local) == 8 && (local[0] < '2' || local[0] > '5'):
		return "", false // landlines start with 2 to 5
	}
	cut := len(local) - 4
	return "(" + d[:2] + ") " + local[:cut] + "-" + local[cut:], true
}

var dateRe = regexp.MustCompile(`^(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2}|\d{4})$`)

// ParseDate reads a date as dd/mm/aaaa (also dd-mm-aa, dd.mm.aaaa, ddmmaaaa,
// "hoje", "ontem") and returns it as dd/mm/aaaa. Two-digit years are this
// century up to this year, the last century after it.
func ParseDate(s string, now time.Time) (string, bool) {
	s = strings.TrimSpace(s)
	today := now.In(hours.SaoPaulo())
	switch words.Fold(s) {
	case "hoje":
		return today.Format("02/01/2006"), true
	case "ontem":
		return today.AddDate(0, 0, -1).Format("02/01/2006"), true
	}
	var ds, ms, ys string
	if m := dateRe.FindStringSubmatch(s); m != nil {
		ds, ms, ys = m[1], m[2], m[3]
	} else if len(s) == 8 && digits(s) == s {
		ds, ms, ys = s[:2], s[2:4], s[4:]
	} else {
		return "", false
	}
	d, _ := strconv.Atoi(ds)
	mo, _ := strconv.Atoi(ms)
	y, _ := strconv.Atoi(ys)
	if len(ys) == 2 {
		if y <= today.Year()%100 {
			y += today.Year() / 100 * 100
		} else {
			y += (today.Year()/100 - 1) * 100
		}
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != mo || t.Year() != y || y < 1900 || y > 2200 {
		return "", false
	}
	return t.Format("02/01/2006"), true
}

// digits keeps the ASCII digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// identityChoices maps the options of the anonymity question to identities.
var identityChoices = map[string]string{
	optIdentified: store.IdentityNormal,
	optSigilosa:   store.IdentitySigilosa,
	optAnonima:    store.IdentityAnonima,
}

// identifyingKeys are answer keys that name or locate the citizen, whatever
// the field's type (the 20261123081000 migration flags stored answers with
// the same list).
var identifyingKeys = map[string]bool{
	"cpf": true, "nome": true, "nome_completo": true, "telefone": true, "celular": true, "fone": true,
	"whatsapp": true, "email": true, "e-mail": true, "endereco": true, "endereco_residencial": true, "rg": true,
}

// Identifying reports whether an answer to f tells who the citizen is: a
// CPF or phone field, or a key such as "nome" or "endereco". Such answers are
// "dado protegido" on a sigilosa ticket and left out of an anonymous one.
func Identifying(f Field) bool {
	return f.Type == FieldCPF || f.Type == FieldPhone || identifyingKeys[strings.ToLower(f.Key)]
}
