package kb

// Problems of a knowledge-base file, shown in the panel (pt-BR).
const (
	txtNotJSON      = "o arquivo não é um JSON válido (%v)"
	txtWrongFormat  = "o arquivo não é uma base de conhecimento do balcao (falta \"format\": %q)"
	txtWrongVersion = "versão %d do arquivo não é suportada (esperada: %d)"
	txtTooBig       = "o arquivo tem mais de %d MB"
	txtNotUTF8      = "o arquivo não está em UTF-8"
	txtArticleN     = "artigo %d"
	txtLineN        = "linha %d"
	txtNoQuestion   = "falta a pergunta"
	txtLongQuestion = "a pergunta passa de %d caracteres"
	txtNoAnswer     = "falta a resposta"
	txtLongAnswer   = "a resposta passa de %d caracteres"
	txtLongLabel    = "tema ou categoria passa de %d caracteres"
	txtLongKeywords = "as palavras-chave passam de %d caracteres"
	txtDuplicate    = "a mesma pergunta já está no artigo %d"
	txtNoArticles   = "nenhum artigo encontrado (cada artigo começa com uma linha --- seguida de \"pergunta: ...\")"
	txtUnclosed     = "o cabeçalho do artigo %d não foi fechado com uma linha ---"
	txtWantKeyValue = "esperava \"chave: valor\""
	txtBadQuoted    = "o valor de %q tem aspas mal fechadas"
	txtBadBool      = "o valor de %q deve ser sim ou não"
	txtUnknownKey   = "chave desconhecida %q (use pergunta, tema, categoria, palavras-chave, publico, ativo)"

	txtMarkdownHeader = "<!-- %s v%d, exportada em %s. Cada artigo: um cabeçalho entre linhas --- e a resposta em Markdown. -->"
)
