package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"balcao/app/backup"
	"balcao/app/config"
	"balcao/app/health"
)

// backupCheckTimeout bounds the round trip to the backup target.
const backupCheckTimeout = 30 * time.Second

// checker collects the findings of `balcao check`.
type checker struct {
	env             Env
	problems, warns int
}

func (c *checker) ok(pt, en string) { say(c.env.Stdout, levelOK, pt, en) }
func (c *checker) warn(pt, en string) {
	c.warns++
	say(c.env.Stdout, levelWarn, pt, en)
}
func (c *checker) fail(pt, en string) {
	c.problems++
	say(c.env.Stdout, levelError, pt, en)
}

// check handles `balcao check`: it validates the configuration the server
// would start with and says what is wrong; the exit code is 1 on a problem.
func check(ctx context.Context, env Env, args []string) error {
	args, getenv, err := takeEnvFile(args, env.Getenv)
	if err != nil {
		return err
	}
	c := &checker{env: env}
	cfg, _, err := config.Load("check", args, getenv, env.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	if err != nil {
		c.fail("Configuração inválida (veja abaixo o nome de cada variável com problema).", "Invalid configuration: "+err.Error())
		return c.result()
	}
	c.whatsApp(cfg)
	c.dataFolder(cfg)
	c.backup(ctx, cfg)
	c.https(cfg)
	return c.result()
}

// result prints the summary and turns problems into the exit code.
func (c *checker) result() error {
	fmt.Fprintf(c.env.Stdout, "\n%d problema(s), %d aviso(s). / %d problem(s), %d warning(s).\n", c.problems, c.warns, c.problems, c.warns)
	if c.problems > 0 {
		return errBoth("a configuração tem problemas: corrija os itens [ERRO] acima.", "the configuration has problems: fix the [ERROR] items above.", nil)
	}
	return nil
}

func (c *checker) whatsApp(cfg *config.Config) {
	if cfg.Simulator {
		c.fail("BALCAO_SIMULATOR está ligado: qualquer pessoa que alcance o servidor pode se passar por qualquer cidadão. Nunca em produção.",
			"BALCAO_SIMULATOR is on: anyone who reaches the server can pose as any citizen. Never in production.")
	}
	missing := 0
	for _, s := range []struct{ env, value, pt, en string }{
		{"BALCAO_WA_VERIFY_TOKEN", cfg.WA.VerifyToken, "a Meta não consegue verificar o webhook", "Meta cannot verify the webhook"},
		{"BALCAO_WA_APP_SECRET", cfg.WA.AppSecret, "todo webhook é recusado (503)", "every webhook is refused (503)"},
		{"BALCAO_WA_ACCESS_TOKEN", cfg.WA.AccessToken, "o balcão não consegue responder aos cidadãos", "balcao cannot answer citizens"},
		{"BALCAO_WA_PHONE_NUMBER_ID", cfg.WA.PhoneNumberID, "o balcão não consegue responder aos cidadãos", "balcao cannot answer citizens"},
	} {
		if s.value == "" {
			missing++
			c.fail(s.env+" não está definido: "+s.pt+".", s.env+" is not set: "+s.en+".")
		}
	}
	if missing == 0 {
		c.ok("Credenciais do WhatsApp presentes (token de verificação, segredo do app, token de acesso, ID do número).",
			"WhatsApp credentials present (verify token, app secret, access token, phone number ID).")
	}
	if cfg.WA.APIURL != config.DefaultGraphURL && !cfg.Simulator {
		c.warn("BALCAO_WA_API_URL aponta para "+cfg.WA.APIURL+", não para a API do WhatsApp ("+config.DefaultGraphURL+").",
			"BALCAO_WA_API_URL points at "+cfg.WA.APIURL+", not at the WhatsApp API ("+config.DefaultGraphURL+").")
	}
}

func (c *checker) dataFolder(cfg *config.Config) {
	dir := absPath(cfg.DataDir)
	existing := dir
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() || err != nil && !errors.Is(err, fs.ErrNotExist) {
		existing = nearestExisting(dir)
		if err == nil {
			err = errors.New("not a directory")
		}
		c.fail("A pasta de dados "+dir+" não pode ser criada nem usada: "+err.Error(),
			"The data folder "+dir+" cannot be created or used: "+err.Error())
	} else if errors.Is(err, fs.ErrNotExist) {
		existing = nearestExisting(dir)
		if err := writeProbe(existing); err != nil {
			c.fail("A pasta de dados "+dir+" não existe e não pode ser criada em "+existing+".",
				"The data folder "+dir+" does not exist and cannot be created in "+existing+": "+err.Error())
		} else {
			c.warn("A pasta de dados "+dir+" ainda não existe; o balcão a cria ao iniciar.",
				"The data folder "+dir+" does not exist yet; balcao creates it at start.")
		}
	} else if err := writeProbe(dir); err != nil {
		c.fail("A pasta de dados "+dir+" não aceita gravação: "+err.Error(),
			"The data folder "+dir+" is not writable: "+err.Error())
	} else {
		c.ok("Pasta de dados "+dir+" gravável.", "Data folder "+dir+" writable.")
		if dataDirInUse(dir) {
			c.ok("O balcão está rodando nesta pasta.", "balcao is running on this folder.")
		}
	}

	free, total, err := health.DiskSpace(existing)
	switch {
	case err != nil:
		c.warn("Não foi possível medir o espaço livre em "+existing+".", "Could not measure free space in "+existing+": "+err.Error())
	case free < cfg.DiskMinFree:
		c.fail(fmt.Sprintf("Pouco espaço em disco: %s livres de %s, abaixo do mínimo de %s (BALCAO_DISK_MIN_FREE).",
			health.FormatBytes(free), health.FormatBytes(total), health.FormatBytes(cfg.DiskMinFree)),
			fmt.Sprintf("Low disk space: %s free of %s, under the minimum of %s (BALCAO_DISK_MIN_FREE).",
				health.FormatBytes(free), health.FormatBytes(total), health.FormatBytes(cfg.DiskMinFree)))
	default:
		c.ok(fmt.Sprintf("Espaço em disco: %s livres de %s.", health.FormatBytes(free), health.FormatBytes(total)),
			fmt.Sprintf("Disk space: %s free of %s.", health.FormatBytes(free), health.FormatBytes(total)))
	}
}

func (c *checker) backup(ctx context.Context, cfg *config.Config) {
	if cfg.Backup.URL == "" {
		c.warn("BALCAO_BACKUP_URL não está definido: sem backup contínuo, um disco perdido leva todos os protocolos.",
			"BALCAO_BACKUP_URL is not set: without continuous backup a lost disk takes every protocol with it.")
		return
	}
	where := backup.Redact(cfg.Backup.URL)
	ctx, cancel := context.WithTimeout(ctx, backupCheckTimeout)
	defer cancel()
	if err := backup.CheckTarget(ctx, cfg.Backup.URL); err != nil {
		c.fail("O destino do backup "+where+" não aceita gravação ou não responde.", err.Error())
		return
	}
	c.ok("Destino do backup "+where+" alcançável e gravável (escrita, leitura e remoção de um arquivo de teste).",
		"Backup target "+where+" reachable and writable (wrote, read back and removed a probe file).")
}

func (c *checker) https(cfg *config.Config) {
	base, _ := url.Parse(cfg.BaseURL)
	switch {
	case cfg.TLS.Domain != "":
		if base.Hostname() != cfg.TLS.Domain {
			c.warn("BALCAO_BASE_URL ("+cfg.BaseURL+") não usa o domínio do certificado ("+cfg.TLS.Domain+").",
				"BALCAO_BASE_URL ("+cfg.BaseURL+") does not use the certificate's domain ("+cfg.TLS.Domain+").")
		}
		c.ok("HTTPS automático para "+cfg.TLS.Domain+" nas portas 443 e 80 (certificados em "+filepath.Join(absPath(cfg.DataDir), certsDir)+").",
			"Automatic HTTPS for "+cfg.TLS.Domain+" on ports 443 and 80 (certificates in "+filepath.Join(absPath(cfg.DataDir), certsDir)+").")
	case base.Scheme != "https":
		c.warn("BALCAO_BASE_URL é "+cfg.BaseURL+": a Meta só entrega webhooks em HTTPS. Use BALCAO_TLS_DOMAIN ou um proxy reverso com TLS.",
			"BALCAO_BASE_URL is "+cfg.BaseURL+": Meta only delivers webhooks over HTTPS. Use BALCAO_TLS_DOMAIN or a reverse proxy with TLS.")
	case cfg.TrustedProxies == "":
		c.warn("HTTPS por proxy reverso, mas BALCAO_TRUSTED_PROXIES está vazio: o limite de tentativas de login vê o endereço do proxy, não o do cliente.",
			"HTTPS through a reverse proxy, but BALCAO_TRUSTED_PROXIES is empty: login throttling sees the proxy's address, not the client's.")
	default:
		c.ok("HTTPS por proxy reverso ("+cfg.TrustedProxies+").", "HTTPS through a reverse proxy ("+cfg.TrustedProxies+").")
	}
}

// writeProbe creates and removes a file in dir.
func writeProbe(dir string) error {
	f, err := os.CreateTemp(dir, ".check-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// nearestExisting is dir or its closest parent that exists.
func nearestExisting(dir string) string {
	for {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dir
		}
		dir = parent
	}
}
