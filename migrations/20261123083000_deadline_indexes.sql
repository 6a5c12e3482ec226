-- +goose Up
-- "Atrasado" (store.OverdueSQL) looks at three deadlines; tickets_due_idx
-- covers the resolution one, these the other two, so the overdue filter and
-- the Prazos page read only open tickets with a deadline.
CREATE INDEX tickets_response_due_idx ON tickets(response_due_at)
    WHERE response_due_at IS NOT NULL AND first_response_at IS NULL AND status <> 'encerrado';
CREATE INDEX tickets_dept_due_idx ON tickets(dept_due_at) WHERE dept_due_at IS NOT NULL AND status <> 'encerrado';

-- Open manifestations opened before deadlines existed get their legal term
-- (Lei 13.460/2017 art. 16: 30 days; Lei 12.527/2011 art. 11: 20 days).
UPDATE tickets SET due_at = created_at + 30 * 86400000
    WHERE due_at IS NULL AND status <> 'encerrado' AND kind IN ('reclamacao', 'denuncia', 'sugestao', 'elogio', 'solicitacao');
UPDATE tickets SET due_at = created_at + 20 * 86400000
    WHERE due_at IS NULL AND status <> 'encerrado' AND kind = 'informacao';

-- +goose Down
-- The terms given to old tickets stay: they are what the law says.
DROP INDEX tickets_dept_due_idx;
DROP INDEX tickets_response_due_idx;
