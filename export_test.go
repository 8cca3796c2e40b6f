package paygate

// Helpers that only tests use, kept out of the production code (as Caddy's
// modules/caddyhttp/encode/export_test.go does).

// len reports the number of records.
func (m *memoryStore) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}
