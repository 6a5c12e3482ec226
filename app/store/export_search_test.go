package store

// SetCommonTextRows lets tests take the text search's other path.
func SetCommonTextRows(n int) (restore func()) {
	old := commonTextRows
	commonTextRows = n
	return func() { commonTextRows = old }
}

// SetCommonFilterRows lets tests read the list in its order with few tickets.
func SetCommonFilterRows(n int) (restore func()) {
	old := commonFilterRows
	commonFilterRows = n
	return func() { commonFilterRows = old }
}

// SetWalkedTexts lets tests bound the walk of a common text's search.
func SetWalkedTexts(n int) (restore func()) {
	old := walkedTexts
	walkedTexts = n
	return func() { walkedTexts = old }
}
