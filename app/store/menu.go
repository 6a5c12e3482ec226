package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// Actions of a menu node (the table's CHECK lists the same).
const (
	MenuActionMenu    = "menu"    // shows its children as numbered options
	MenuActionArticle = "article" // answers with a knowledge-base article
	MenuActionAsk     = "ask"     // asks for data, then opens a ticket or records it
	MenuActionLookup  = "lookup"  // looks a protocol up
	MenuActionHandoff = "handoff" // opens a ticket and hands the chat to a group
	MenuActionEnd     = "end"     // ends the conversation
)

// MenuActions lists the actions in the order the panel offers them.
var MenuActions = []string{MenuActionMenu, MenuActionArticle, MenuActionAsk, MenuActionLookup, MenuActionHandoff, MenuActionEnd}

// MenuNode is one option of the bot's menu. The store keeps Config as opaque
// JSON; package bot defines what it holds.
type MenuNode struct {
	ID int64
	// ParentID is 0 for the root.
	ParentID int64
	// Position orders the children of a parent, from 0.
	Position int
	Title    string
	// Message is Markdown.
	Message string
	Action  string
	// ArticleID (0 = none) is the answer of an article node.
	ArticleID int64
	// GroupID (0 = none) is where an ask or handoff node opens its ticket, and
	// where "falar com um atendente" goes from a menu node down.
	GroupID int64
	// Config is the rest of the action as JSON ("{}" when empty).
	Config string
	// Keywords are comma-separated words that also choose the option.
	Keywords  string
	CreatedAt int64
	UpdatedAt int64
}

// MenuTree is a node with its children, for writing a whole menu at once.
type MenuTree struct {
	Node     MenuNode
	Children []MenuTree
}

const menuColumns = `id, COALESCE(parent_id, 0), position, title, message, action,
	COALESCE(article_id, 0), COALESCE(group_id, 0), config, keywords, created_at, updated_at`

func scanMenuNode(row interface{ Scan(...any) error }) (MenuNode, error) {
	var n MenuNode
	err := row.Scan(&n.ID, &n.ParentID, &n.Position, &n.Title, &n.Message, &n.Action,
		&n.ArticleID, &n.GroupID, &n.Config, &n.Keywords, &n.CreatedAt, &n.UpdatedAt)
	return n, err
}

// menuWriteError maps the constraint failures of a menu write to sentinels.
func menuWriteError(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		return fmt.Errorf("%s: the menu already has a root: %w", what, ErrConflict)
	case isForeignKeyViolation(err):
		return fmt.Errorf("%s: parent, article or group: %w", what, ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// menuConfig is the value stored for c: "{}" when empty.
func menuConfig(c string) string {
	if c == "" {
		return "{}"
	}
	return c
}

// CreateMenuNode adds n as the last child of n.ParentID (ParentID 0 creates
// the root) and returns it with its id and position. A second root gives
// ErrConflict; an unknown parent, article or group gives ErrNotFound.
func (s *Store) CreateMenuNode(ctx context.Context, n MenuNode) (MenuNode, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = insertMenuNode(ctx, tx, n, s.Now())
		return err
	})
	return n, err
}

// insertMenuNode appends n to its parent's children.
func insertMenuNode(ctx context.Context, tx *sql.Tx, n MenuNode, now int64) (MenuNode, error) {
	n.CreatedAt, n.UpdatedAt, n.Config = now, now, menuConfig(n.Config)
	err := tx.QueryRowContext(ctx, `INSERT INTO menu_nodes
		(parent_id, position, title, message, action, article_id, group_id, config, keywords, created_at, updated_at)
		VALUES (NULLIF(?1, 0), (SELECT COALESCE(MAX(position) + 1, 0) FROM menu_nodes WHERE parent_id IS NULLIF(?1, 0)),
		        ?, ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?)
		RETURNING id, position`,
		n.ParentID, n.Title, n.Message, n.Action, n.ArticleID, n.GroupID, n.Config, n.Keywords, now, now).Scan(&n.ID, &n.Position)
	return n, menuWriteError("create menu node", err)
}

// UpdateMenuNode saves the title, message, action, article, group, config and
// keywords of n (MoveMenuNode changes where it is).
func (s *Store) UpdateMenuNode(ctx context.Context, n MenuNode) error {
	res, err := s.W.ExecContext(ctx, `UPDATE menu_nodes SET title = ?, message = ?, action = ?,
		article_id = NULLIF(?, 0), group_id = NULLIF(?, 0), config = ?, keywords = ?, updated_at = ? WHERE id = ?`,
		n.Title, n.Message, n.Action, n.ArticleID, n.GroupID, menuConfig(n.Config), n.Keywords, s.Now(), n.ID)
	if err := menuWriteError("update menu node", err); err != nil {
		return err
	}
	return affectedOne(res, nil, "update menu node")
}

// MenuNodeByID returns the node with id.
func (s *Store) MenuNodeByID(ctx context.Context, id int64) (MenuNode, error) {
	n, err := scanMenuNode(s.R.QueryRowContext(ctx, `SELECT `+menuColumns+` FROM menu_nodes WHERE id = ?`, id))
	if err == sql.ErrNoRows {
		return n, fmt.Errorf("menu node %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return n, fmt.Errorf("menu node %d: %w", id, err)
	}
	return n, nil
}

// LoadMenu returns the whole menu: the root first, then every parent's
// children in order. An empty menu is an empty list.
func (s *Store) LoadMenu(ctx context.Context) ([]MenuNode, error) {
	rows, err := s.R.QueryContext(ctx, `SELECT `+menuColumns+` FROM menu_nodes
		ORDER BY parent_id IS NOT NULL, parent_id, position, id`)
	if err != nil {
		return nil, fmt.Errorf("load menu: %w", err)
	}
	defer rows.Close()
	var out []MenuNode
	for rows.Next() {
		n, err := scanMenuNode(rows)
		if err != nil {
			return nil, fmt.Errorf("load menu: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load menu: %w", err)
	}
	return out, nil
}

// MoveMenuNode makes node id the child number index (from 0; past the end
// means last) of parentID, renumbering the children of the old and the new
// parent. Moving the root, or a node under itself or its own descendants,
// gives ErrConflict; an unknown node or parent gives ErrNotFound.
func (s *Store) MoveMenuNode(ctx context.Context, id, parentID int64, index int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var oldParent int64
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(parent_id, 0) FROM menu_nodes WHERE id = ?`, id).Scan(&oldParent)
		if err == sql.ErrNoRows {
			return fmt.Errorf("move menu node %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("move menu node %d: %w", id, err)
		}
		if oldParent == 0 || parentID == 0 {
			return fmt.Errorf("move menu node %d: the root stays the root: %w", id, ErrConflict)
		}
		var inside bool
		err = tx.QueryRowContext(ctx, `WITH RECURSIVE up(id, parent_id) AS (
				SELECT id, parent_id FROM menu_nodes WHERE id = ?
				UNION SELECT m.id, m.parent_id FROM menu_nodes m JOIN up ON m.id = up.parent_id)
			SELECT count(*) > 0 FROM up WHERE id = ?`, parentID, id).Scan(&inside)
		if err != nil {
			return fmt.Errorf("move menu node %d: %w", id, err)
		}
		if inside {
			return fmt.Errorf("move menu node %d under itself: %w", id, ErrConflict)
		}
		siblings, err := queryIDsTx(ctx, tx, `SELECT id FROM menu_nodes WHERE parent_id = ? AND id <> ? ORDER BY position, id`, parentID, id)
		if err != nil {
			return fmt.Errorf("move menu node %d: %w", id, err)
		}
		index = min(max(index, 0), len(siblings))
		siblings = slices.Insert(siblings, index, id)
		if _, err := tx.ExecContext(ctx, `UPDATE menu_nodes SET parent_id = ?, updated_at = ? WHERE id = ?`, parentID, s.Now(), id); err != nil {
			return menuWriteError("move menu node", err)
		}
		if err := renumber(ctx, tx, siblings); err != nil {
			return err
		}
		if oldParent == parentID {
			return nil
		}
		old, err := queryIDsTx(ctx, tx, `SELECT id FROM menu_nodes WHERE parent_id = ? ORDER BY position, id`, oldParent)
		if err != nil {
			return fmt.Errorf("move menu node %d: %w", id, err)
		}
		return renumber(ctx, tx, old)
	})
}

// renumber gives ids the positions 0, 1, 2… in order.
func renumber(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for i, id := range ids {
		if _, err := tx.ExecContext(ctx, `UPDATE menu_nodes SET position = ? WHERE id = ? AND position <> ?`, i, id, i); err != nil {
			return fmt.Errorf("renumber menu: %w", err)
		}
	}
	return nil
}

// queryIDsTx is queryIDs inside a transaction.
func queryIDsTx(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// DeleteMenuNode removes the node with id and everything under it, and closes
// the gap in its siblings' positions.
func (s *Store) DeleteMenuNode(ctx context.Context, id int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var parent int64
		err := tx.QueryRowContext(ctx, `DELETE FROM menu_nodes WHERE id = ? RETURNING COALESCE(parent_id, 0)`, id).Scan(&parent)
		if err == sql.ErrNoRows {
			return fmt.Errorf("delete menu node %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("delete menu node %d: %w", id, err)
		}
		if parent == 0 {
			return nil
		}
		ids, err := queryIDsTx(ctx, tx, `SELECT id FROM menu_nodes WHERE parent_id = ? ORDER BY position, id`, parent)
		if err != nil {
			return fmt.Errorf("delete menu node %d: %w", id, err)
		}
		return renumber(ctx, tx, ids)
	})
}

// ReplaceMenu deletes the whole menu and writes tree in its place, in one
// transaction (positions follow the order of Children; IDs and ParentIDs in
// tree are ignored) and returns the new root's id. An unknown article or
// group gives ErrNotFound and leaves the old menu in place.
func (s *Store) ReplaceMenu(ctx context.Context, tree MenuTree) (rootID int64, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM menu_nodes`); err != nil {
			return fmt.Errorf("replace menu: %w", err)
		}
		var insert func(t MenuTree, parent int64) (int64, error)
		insert = func(t MenuTree, parent int64) (int64, error) {
			n := t.Node
			n.ParentID = parent
			n, err := insertMenuNode(ctx, tx, n, s.Now())
			if err != nil {
				return 0, err
			}
			for _, c := range t.Children {
				if _, err := insert(c, n.ID); err != nil {
					return 0, err
				}
			}
			return n.ID, nil
		}
		rootID, err = insert(tree, 0)
		return err
	})
	return rootID, err
}
