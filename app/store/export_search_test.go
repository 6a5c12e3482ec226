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
