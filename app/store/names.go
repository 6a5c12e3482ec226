package store

import (
	"slices"
	"strings"
)

// SQLite's NOCASE only folds ASCII, which would list "Água" after "Saúde".
// People expect the dictionary order, so name lists are sorted here.
var accentFolder = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ã", "a", "ä", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "õ", "o", "ö", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ç", "c", "ñ", "n",
)

// nameKey is the sort key of a name: lower case, without accents.
func nameKey(s string) string { return accentFolder.Replace(strings.ToLower(s)) }

// sortByName orders list by the name each element has, as a Brazilian reader expects.
func sortByName[T any](list []T, name func(T) string) {
	slices.SortStableFunc(list, func(a, b T) int { return strings.Compare(nameKey(name(a)), nameKey(name(b))) })
}
