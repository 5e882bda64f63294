{{/* Names and labels. */}}
{{- define "infra-mcp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "infra-mcp.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "infra-mcp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "infra-mcp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "infra-mcp.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "infra-mcp.selectorLabels" . }}
app.kubernetes.io/component: {{ .Values.server }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "infra-mcp.secretName" -}}
{{- default (include "infra-mcp.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{- define "infra-mcp.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The MCP paths the server answers on: the gateway mounts one per vendor. */}}
{{- define "infra-mcp.mcpPaths" -}}
{{- if eq .Values.server "gateway" -}}
/portainer/mcp,/incus/mcp,/qovery/mcp
{{- else -}}
/mcp
{{- end -}}
{{- end -}}

{{/* Checks the values once; every template includes it. */}}
{{- define "infra-mcp.validate" -}}
{{- $servers := list "gateway" "portainer-mcp" "incus-mcp" "qovery-mcp" -}}
{{- if not (has .Values.server $servers) -}}
{{- fail (printf "server must be one of %s, got %q" (join ", " $servers) .Values.server) -}}
{{- end -}}
{{- if and .Values.oauth.issuer .Values.credentials.mcpHttpToken -}}
{{- fail "oauth.issuer and credentials.mcpHttpToken exclude each other (the servers refuse to start with both): set one" -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled (not .Values.metrics.enabled) -}}
{{- fail "serviceMonitor.enabled needs metrics.enabled: without it the servers serve no /metrics to scrape" -}}
{{- end -}}
{{- if and .Values.metrics.enabled (has (int .Values.metrics.port) (list (int .Values.ports.mcp) (int .Values.ports.rest))) -}}
{{- fail (printf "metrics.port %v is already ports.mcp or ports.rest: the metrics listener needs a port of its own" .Values.metrics.port) -}}
{{- end -}}
{{- if not (has .Values.tracing.protocol (list "http/protobuf" "http/json")) -}}
{{- fail (printf "tracing.protocol must be http/protobuf or http/json, got %q" .Values.tracing.protocol) -}}
{{- end -}}
{{- if and .Values.serviceMonitor.enabled (not (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1")) -}}
{{- fail "serviceMonitor.enabled needs the Prometheus Operator's monitoring.coreos.com/v1 API in the cluster" -}}
{{- end -}}
{{- end -}}
