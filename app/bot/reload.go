package bot

import (
	"context"
	"fmt"

	"balcao/app/store"
)

// MenuSource reads the stored menu; *store.Store implements it.
type MenuSource interface {
	LoadMenu(ctx context.Context) ([]store.MenuNode, error)
}

// LoadMenu builds the menu stored in src, with its problems (a menu with
// problems still works where it can).
func LoadMenu(ctx context.Context, src MenuSource) (*Menu, []Problem, error) {
	nodes, err := src.LoadMenu(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load bot menu: %w", err)
	}
	m, problems := BuildMenu(nodes)
	return m, problems, nil
}

// ReloadMenu reads the stored menu and gives it to the engine; the panel
// calls it after every edit. Reloads run one at a time, so when two edits
// race the menu kept is one read after the later of them; conversations
// under way carry on (a node that no longer exists starts over).
func (e *Engine) ReloadMenu(ctx context.Context, src MenuSource) ([]Problem, error) {
	e.reload.Lock()
	defer e.reload.Unlock()
	m, problems, err := LoadMenu(ctx, src)
	if err != nil {
		return nil, err
	}
	e.SetMenu(m)
	return problems, nil
}
