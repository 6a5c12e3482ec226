package media

import (
	"errors"
	"fmt"

	"balcao/app/whatsapp"
)

// Everything in this file is read by clerks: keep it Portuguese (pt-BR),
// short, and in this one place so it can be reviewed.

const textNoMediaID = "Arquivo não baixado: o WhatsApp não informou o arquivo desta mensagem"

var kindNames = map[string]string{
	whatsapp.TypeImage:    "imagens",
	whatsapp.TypeAudio:    "áudios",
	whatsapp.TypeVideo:    "vídeos",
	whatsapp.TypeDocument: "documentos",
	whatsapp.TypeSticker:  "figurinhas",
}

// tooLargeText explains a file refused for its size.
func tooLargeText(kind string, limit int64) string {
	return fmt.Sprintf("Arquivo não baixado: maior que o limite do WhatsApp para %s (%s). Peça ao cidadão outro arquivo.",
		kindNames[kind], size(limit))
}

// failText explains a download given up.
func failText(err error) string {
	switch {
	case errors.Is(err, whatsapp.ErrChecksum):
		return "Arquivo não baixado: chegou corrompido (soma de verificação não confere). Peça ao cidadão que o envie de novo."
	case notFound(err):
		return "Arquivo não baixado: não está mais disponível no WhatsApp (os arquivos ficam lá por 7 dias). Peça ao cidadão que o envie de novo."
	}
	var ae *whatsapp.APIError
	if errors.As(err, &ae) && ae.Code != 0 && whatsapp.Classify(err) == whatsapp.Permanent {
		return "Arquivo não baixado: " + whatsapp.Describe(ae.Code) + ". Peça ao cidadão que o envie de novo."
	}
	return "Arquivo não baixado depois de várias tentativas (falha de comunicação com o WhatsApp). Peça ao cidadão que o envie de novo."
}

func size(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%d KB", n>>10)
}
