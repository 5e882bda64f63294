/**
 * Every variable core reads, for `--help` of each bin and of the gateway (the gateway lists its own
 * port/host variables with its flags). The README's tables list the same names; a test compares them.
 */
export const CORE_ENV_HELP = `Logging and upstream requests:
  LOG_LEVEL                        debug | info | warn | error (default info); JSON lines on stderr
  MCP_UPSTREAM_RETRIES             Retries of idempotent upstream reads (GET/HEAD; default 2; writes never)
  MCP_UPSTREAM_MAX_RESPONSE_BYTES  Upstream response body held in memory, larger → error (default 33554432)

Stream sessions (exec/attach/shell sessions of one MCP session):
  MCP_MAX_STREAM_SESSIONS          Open stream sessions per MCP session (default 32)
  MCP_STREAM_BUFFER_BYTES          Output kept per stream session; older bytes drop (default 4194304)
  MCP_STREAM_MEMORY_BYTES          Output kept by all stream sessions of the process together; past
                                   it buffers stop growing and older bytes drop (default 268435456)
  MCP_STREAM_IDLE_SECONDS          Idle stream session expiry (default 600)

HTTP/REST (--http, --rest):
  MCP_HTTP_TOKEN                   Bearer token required on every request (mandatory off loopback; or _FILE)
  MCP_HTTP_ALLOWED_HOSTS           Extra Host names accepted (comma list; default loopback names only)
  MCP_HTTP_ALLOWED_ORIGINS         Extra browser Origins accepted (comma list; default: only loopback
                                   origins on the server's own port)
  MCP_HTTP_MAX_BODY_BYTES          Request body limit, larger → 413 (default 1048576)
  MCP_HTTP_MAX_SESSIONS            Concurrent MCP sessions, more → 503 (default 64)
  MCP_HTTP_MAX_SESSIONS_PER_CLIENT Sessions one client (OAuth identity, else credential header, else
                                   address) may hold, more → 503 (default half of MCP_HTTP_MAX_SESSIONS)
  MCP_HTTP_SESSION_IDLE_SECONDS    Idle MCP session expiry (default 1800)
  MCP_INSTANCE_ID                  Replica id: serverInfo.version "<version>+<id>", X-MCP-Instance header
  MCP_SESSION_ID_HEADER            Header (e.g. x-request-id) whose value prefixes a new session's generated
                                   id, for proxies that hash on it (see "Running for a team")

Team sign-in (OAuth 2.1 resource server; instead of MCP_HTTP_TOKEN, see "Sign-in for teams"):
  MCP_OAUTH_ISSUER                 Authorization server whose JWT access tokens are accepted (iss)
  MCP_OAUTH_AUDIENCE               Resource the tokens must be issued for (aud; default MCP_PUBLIC_URL)
  MCP_OAUTH_JWKS_URL               The issuer's key set (default: jwks_uri from the issuer's metadata)
  MCP_OAUTH_READ_SCOPE             Scope granting the read-only tools (default mcp:read)
  MCP_OAUTH_WRITE_SCOPE            Scope granting every tool the flags allow (default mcp:write)
  MCP_OAUTH_ACCEPT_PLAIN_JWT       1: also accept access tokens typed JWT or untyped (default: at+jwt only)
  MCP_PUBLIC_URL                   Origin clients reach this server at, e.g. https://mcp.example.com

Audit log and metrics (see "Operating it"):
  MCP_AUDIT_LOG                    File (or "stderr") receiving a hash-chained JSON line before and after
                                   every write call, REST write route and websocket session, and every
                                   refusal; unwritable → those calls are refused. SIGHUP reopens it.
                                   A file log keeps <file>.head (where it ends) beside it.
                                   \`<bin> audit verify <file>...\` checks the chain and the end
  MCP_AUDIT_READS                  1: audit read-only calls too (default 0)
  MCP_METRICS_PORT                 Serve Prometheus metrics at /metrics on this port (or --metrics-port)
  MCP_METRICS_HOST                 Bind address of the metrics port (default 127.0.0.1)

OpenTelemetry traces (loaded only when an endpoint is set; the other standard OTEL_EXPORTER_OTLP_*
variables, e.g. _HEADERS, _TIMEOUT, are honoured by the exporter):
  OTEL_EXPORTER_OTLP_ENDPOINT      OTLP/HTTP collector base URL, e.g. http://127.0.0.1:4318
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT  Full traces URL instead (…/v1/traces)
  OTEL_EXPORTER_OTLP_PROTOCOL      http/protobuf (default) or http/json
  OTEL_SERVICE_NAME                service.name of the spans (default: the bin's name)`;

export const USAGE = (name: string) => `Usage: ${name} [options]

Runs the ${name} MCP server. Speaks MCP over stdio unless --http or --rest is given.

Options:
  --toolsets a,b       Serve these toolsets (or "all"; default: the     env MCP_TOOLSETS=a,b
                       ones marked default below)
  --tools a,b          Serve these tools too (alone: only these)        env MCP_TOOLS=a,b
  --read-only          Only read-only tools (readOnlyHint)              env MCP_READ_ONLY=1
  --disable-destructive  No destructive tool (destructiveHint); other   env MCP_DISABLE_DESTRUCTIVE=1
                       writes stay
  --confirm P          Ask the user (MCP elicitation) before these      env MCP_CONFIRM=P
                       calls: destructive | writes | tool,tool; REST
                       refuses their routes; a dryRun call is not asked
  --confirm-destructive  Same as --confirm destructive                  env MCP_CONFIRM_DESTRUCTIVE=1
  --show-env-values    Show environment variable values in results      env MCP_SHOW_ENV_VALUES=1
                       (default: names shown, values <masked>)
  --http               Serve MCP over Streamable HTTP (endpoint /mcp)   env MCP_HTTP=1
  --port N             HTTP port (default 9090)                         env MCP_HTTP_PORT
  --host H             Bind address (default 127.0.0.1; non-loopback    env MCP_HTTP_HOST
                       needs MCP_HTTP_TOKEN or MCP_OAUTH_ISSUER)
  --rest               Serve the REST surface of the capability files   env MCP_REST=1
  --rest-port N        REST port (default 8080)                         env MCP_REST_PORT
  --stateless          HTTP without sessions (any replica answers any   env MCP_STATELESS=1
                       request; session tools are not offered)
  --metrics-port N     Prometheus metrics at http://127.0.0.1:N/metrics env MCP_METRICS_PORT
  audit verify <file>  Check an audit log's hash chain and end (exit 0 intact, 1 broken)
  -h, --help           Show this help
  -v, --version        Show the version

An option shown with "env NAME" can be set by that environment variable instead (for containers
configured by env only); a flag on the command line wins. Booleans take 1/true/yes or 0/false/no.
Every variable below is checked before the server serves: a value it does not accept stops the
start with exit code 2 and one JSON line on stderr naming the variable and what it accepts.

${CORE_ENV_HELP}
`;
