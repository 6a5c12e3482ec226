package views

import "strconv"

// RoboURL is the Robô page with node id open in the editor.
func RoboURL(id int64) string { return "/robo?no=" + strconv.FormatInt(id, 10) }

// MenuNodeURL is where the actions on node id post.
func MenuNodeURL(id int64) string { return "/robo/no/" + strconv.FormatInt(id, 10) }

// Choice is a value of a select and its pt-BR label.
type Choice struct{ Value, Label string }

// MenuActionChoices are the actions a node can have, as the panel names them.
var MenuActionChoices = []Choice{
	{"menu", "Mostrar opções"},
	{"article", "Responder com um artigo"},
	{"ask", "Pedir dados"},
	{"lookup", "Consultar protocolo"},
	{"handoff", "Falar com atendente (abre protocolo)"},
	{"end", "Encerrar a conversa"},
}

// TicketKindChoices are the kinds of ticket a node can open.
var TicketKindChoices = []Choice{
	{"", "Padrão do grupo"},
	{"solicitacao", "Solicitação"},
	{"reclamacao", "Reclamação"},
	{"denuncia", "Denúncia"},
	{"sugestao", "Sugestão"},
	{"elogio", "Elogio"},
	{"informacao", "Informação"},
}

// FieldTypeChoices are the kinds of value an ask node asks for.
var FieldTypeChoices = []Choice{
	{"text", "Texto livre"},
	{"cpf", "CPF"},
	{"phone", "Telefone"},
	{"date", "Data"},
	{"choice", "Escolha entre opções"},
	{"location", "Endereço ou localização"},
	{"media", "Foto ou documento"},
}

// choiceLabel is the label of value among choices.
func choiceLabel(choices []Choice, value string) string {
	for _, c := range choices {
		if c.Value == value {
			return c.Label
		}
	}
	return value
}

// RoboNode is a node of the menu tree as the page lists it.
type RoboNode struct {
	ID       int64
	Title    string
	Action   string
	Children []*RoboNode
	// First and Last say whether it can move up or down among its siblings.
	First, Last bool
	// Size is the node and everything under it.
	Size int
}

// RoboProblem is one validation problem of the menu.
type RoboProblem struct {
	NodeID   int64
	Severity string // "erro" or "aviso"
	Text     string
}

// BotReply is one message of the bot as WhatsApp would show it.
type BotReply struct {
	Text string
	// Form is "text", "buttons" or "list".
	Form    string
	Button  string
	Options []BotOption
	// Plain is the numbered text sent where interactive messages are not used.
	Plain string
}

// BotOption is one option of a reply.
type BotOption struct{ ID, Number, Title, Description string }

// BotTurn is one exchange in the "Testar o robô" box: what the tester sent,
// the bot's replies, and notes on what would have happened.
type BotTurn struct {
	Sent    string     `json:"sent,omitempty"`
	Replies []BotReply `json:"replies,omitempty"`
	Notes   []string   `json:"notes,omitempty"`
}

// FieldRow is one field of an ask node in the editor.
type FieldRow struct {
	Key, Label, Type, Choices string
	Required                  bool
}

// fieldRows reads the field rows of f, plus one blank row to add a field.
func fieldRows(f *Form) []FieldRow {
	keys := f.Values["field_key"]
	var rows []FieldRow
	at := func(name string, i int) string {
		if vs := f.Values[name]; i < len(vs) {
			return vs[i]
		}
		return ""
	}
	for i := range keys {
		rows = append(rows, FieldRow{Key: keys[i], Label: at("field_label", i), Type: at("field_type", i),
			Choices: at("field_choices", i), Required: at("field_required", i) != "0"})
	}
	return append(rows, FieldRow{Type: "text", Required: true})
}

// MoveTarget is a menu node another node can move under.
type MoveTarget struct {
	ID   int64
	Path string
}

// RoboView is everything the Robô page shows.
type RoboView struct {
	Root     *RoboNode
	Problems []RoboProblem
	// Selected is the node open in the editor (0: none).
	Selected  int64
	Form      *Form
	Articles  []Choice
	Groups    []Choice
	Targets   []MoveTarget
	Preview   []BotReply
	Notes     []string
	Test      []BotTurn
	NodeTitle string
	// Inside is how many options the selected node holds, at any depth.
	Inside int
	// Problem is a message about a refused action.
	Problem string
}

// errorCount is how many problems are errors.
func errorCount(ps []RoboProblem) int {
	n := 0
	for _, p := range ps {
		if p.Severity == "erro" {
			n++
		}
	}
	return n
}
