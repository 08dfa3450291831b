{{/*
The chart name, overridable by nameOverride.
*/}}
{{- define "coding-relay.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The fully qualified app name, truncated to 63 characters because some
Kubernetes name fields are limited to that (DNS-1123 label). A release name
that already contains the chart name is used as is.
*/}}
{{- define "coding-relay.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "coding-relay.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every object.
*/}}
{{- define "coding-relay.labels" -}}
helm.sh/chart: {{ include "coding-relay.chart" . }}
{{ include "coding-relay.selectorLabels" . }}
app.kubernetes.io/version: {{ include "coding-relay.version" . | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: immutable in a Deployment, so only name and instance.
*/}}
{{- define "coding-relay.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coding-relay.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The relay version deployed: the image tag, else the appVersion. Label values
allow at most 63 characters of [A-Za-z0-9._-].
*/}}
{{- define "coding-relay.version" -}}
{{- default .Chart.AppVersion .Values.image.tag | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The ServiceAccount the pod runs as.
*/}}
{{- define "coding-relay.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "coding-relay.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference: repository:tag, or repository@digest when pinned.
*/}}
{{- define "coding-relay.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The Secret holding RELAY_ROBOTS and the tokens: the user's existingSecret or
the chart's own.
*/}}
{{- define "coding-relay.secretName" -}}
{{- default (include "coding-relay.fullname" .) .Values.existingSecret }}
{{- end }}

{{/*
The ConfigMap holding the message templates, or "" when there are none.
*/}}
{{- define "coding-relay.templatesConfigMap" -}}
{{- if .Values.existingTemplatesConfigMap }}
{{- .Values.existingTemplatesConfigMap }}
{{- else if .Values.templates }}
{{- printf "%s-templates" (include "coding-relay.fullname" .) }}
{{- end }}
{{- end }}

{{/*
RELAY_ROBOTS built from the structured robots list: one URL per line, the
relay-only settings appended as query parameters. Values are URL-encoded
once (urlquery); a list becomes a comma-separated value, which the relay
splits after decoding. A URL that already has a query gets "&", otherwise
"?".
*/}}
{{- define "coding-relay.robots" -}}
{{- $lines := list }}
{{- range $i, $robot := .Values.robots }}
{{- $url := $robot.url }}
{{- /* Combinations the relay refuses at start-up fail here instead: with
       strategy Recreate a bad upgrade would stop the running pod first. */}}
{{- $prefix := regexFind "^(dingtalk|wecom|feishu)\\+" $url | trimSuffix "+" }}
{{- $kind := $robot.kind | default $prefix }}
{{- if and $robot.kind $prefix (ne $robot.kind $prefix) }}
{{- fail (printf "robots[%d]: kind %s contradicts the URL's %s+ prefix" $i $robot.kind $prefix) }}
{{- end }}
{{- if not $kind }}
{{- if regexMatch "^(?i)https?://oapi\\.dingtalk\\.(com|io)([:/?]|$)" $url }}{{ $kind = "dingtalk" }}
{{- else if regexMatch "^(?i)https?://qyapi\\.weixin\\.qq\\.com([:/?]|$)" $url }}{{ $kind = "wecom" }}
{{- else if regexMatch "^(?i)https?://open\\.(feishu\\.cn|larksuite\\.com)([:/?]|$)" $url }}{{ $kind = "feishu" }}
{{- else }}
{{- fail (printf "robots[%d]: unknown robot host; set kind (dingtalk, wecom or feishu) for a proxy or any other host" $i) }}
{{- end }}
{{- end }}
{{- if and (eq $kind "wecom") (or $robot.secret $robot.keywords) }}
{{- fail (printf "robots[%d]: secret and keywords are for DingTalk and Feishu robots only (WeCom takes format)" $i) }}
{{- end }}
{{- if and (ne $kind "wecom") $robot.format }}
{{- fail (printf "robots[%d]: format (markdown_v2) is for WeCom robots only" $i) }}
{{- end }}
{{- /* Pacing: the robot's rate, else config.rateLimit, else its kind's own
       limit (DingTalk and WeCom 20/1m, Feishu 100/1m,5/1s), which paces. */}}
{{- $rate := toString ($robot.rate | default $.Values.config.rateLimit | default "kind") }}
{{- if and $robot.inflight (gt (int $robot.inflight) 1) (not (regexMatch "^(0|off|0+/.*)$" $rate)) }}
{{- fail (printf "robots[%d]: inflight above 1 needs pacing off (rate: \"0\" on the robot or config.rateLimit: \"0\")" $i) }}
{{- end }}
{{- if and $robot.kind (not $prefix) }}
{{- $url = printf "%s+%s" $robot.kind $url }}
{{- end }}
{{- $params := list }}
{{- range $key := list "secret" "keywords" "name" "events" "actions" "branches" "projects" "template" "rate" "inflight" "format" }}
{{- $value := get $robot $key }}
{{- if kindIs "slice" $value }}
{{- $value = join "," $value }}
{{- end }}
{{- if and (not (kindIs "invalid" $value)) (ne (toString $value) "") }}
{{- $params = append $params (printf "%s=%s" $key (urlquery (toString $value))) }}
{{- end }}
{{- end }}
{{- if $params }}
{{- $sep := "?" }}
{{- if or (hasSuffix "?" $url) (hasSuffix "&" $url) }}
{{- $sep = "" }}
{{- else if contains "?" $url }}
{{- $sep = "&" }}
{{- end }}
{{- $url = printf "%s%s%s" $url $sep (join "&" $params) }}
{{- end }}
{{- $lines = append $lines $url }}
{{- end }}
{{- join "\n" $lines }}
{{- end }}

{{/*
A Go duration ("15s", "1m30s", "2h") in seconds (a float), for comparing
config.shutdownTimeout with terminationGracePeriodSeconds. Units below a
millisecond count as nothing.
*/}}
{{- define "coding-relay.durationSeconds" -}}
{{- $ms := 0 }}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h)" (toString .) -1 }}
{{- $unit := regexFind "(ns|us|µs|ms|s|m|h)$" . }}
{{- $n := float64 (trimSuffix $unit .) }}
{{- if eq $unit "h" }}{{ $ms = addf $ms (mulf $n 3600000) }}
{{- else if eq $unit "m" }}{{ $ms = addf $ms (mulf $n 60000) }}
{{- else if eq $unit "s" }}{{ $ms = addf $ms (mulf $n 1000) }}
{{- else if eq $unit "ms" }}{{ $ms = addf $ms $n }}
{{- end }}
{{- end }}
{{- divf $ms 1000 }}
{{- end }}

{{/*
"true" when the delivery state is in Redis (RELAY_REDIS_URL is set), from
redis.url or from a key of redis.existingSecret.
*/}}
{{- define "coding-relay.redis" -}}
{{- if or .Values.redis.url (and .Values.redis.existingSecret .Values.redis.existingSecretKeys.url) }}true{{ end }}
{{- end }}

{{/*
"true" when replicas share everything through Redis and keep nothing on a
volume: then any number may run, and they roll one at a time. With Redis
and persistence still enabled, the volume holds a bbolt queue to move into
Redis at start-up (a ReadWriteOnce claim): one pod, Recreate, as without
Redis.
*/}}
{{- define "coding-relay.shared" -}}
{{- if and (include "coding-relay.redis" .) (not .Values.persistence.enabled) }}true{{ end }}
{{- end }}

{{/*
The Secret holding RELAY_REDIS_URL when redis.url is set.
*/}}
{{- define "coding-relay.redisSecretName" -}}
{{- printf "%s-redis" (include "coding-relay.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fails the render when the pod would be killed before the relay's drain
deadline (with replicas sharing Redis, the preStop pause comes first), and
on replica counts the queue cannot have.
*/}}
{{- define "coding-relay.validate" -}}
{{- $drain := include "coding-relay.durationSeconds" .Values.config.shutdownTimeout | float64 }}
{{- $grace := .Values.terminationGracePeriodSeconds | int64 }}
{{- $shared := include "coding-relay.shared" . }}
{{- if le (float64 $grace) $drain }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than config.shutdownTimeout (%s): Kubernetes would kill the relay before it finishes in-flight sends" $grace (toString .Values.config.shutdownTimeout)) }}
{{- end }}
{{- if and $shared (le (float64 $grace) (addf $drain (.Values.preStopSeconds | float64))) }}
{{- fail (printf "terminationGracePeriodSeconds (%d) must be greater than preStopSeconds (%d) plus config.shutdownTimeout (%s): the preStop pause comes before the drain" $grace (.Values.preStopSeconds | int) (toString .Values.config.shutdownTimeout)) }}
{{- end }}
{{- if and .Values.redis.existingSecret (not .Values.redis.url) (not .Values.redis.existingSecretKeys.url) }}
{{- fail "redis.existingSecret is set but nothing gives the URL: set redis.url (the password can stay in the Secret) or redis.existingSecretKeys.url" }}
{{- end }}
{{- if gt (int .Values.replicaCount) 1 }}
{{- if not (include "coding-relay.redis" .) }}
{{- fail "replicaCount above 1 needs redis.url (or redis.existingSecret): without Redis the queue is one bbolt file on one volume, which only one pod can hold" }}
{{- end }}
{{- if .Values.persistence.enabled }}
{{- fail "replicaCount above 1 needs persistence.enabled: false: with Redis the volume only holds a bbolt queue to move into Redis, and its ReadWriteOnce claim cannot be shared (move it with replicaCount 1 first; see docs/deploy.md)" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A counter's increase within a window, (list SELECTOR WINDOW), counting a
series born within the window too: increase() needs two samples, so the
first event of a new label set (a robot's first dead letter) would be
missed. A series absent WINDOW ago counts with its whole value.
*/}}
{{- define "coding-relay.increase" -}}
{{- $x := index . 0 }}{{ $w := index . 1 -}}
({{ $x }} unless {{ $x }} offset {{ $w }}) or increase({{ $x }}[{{ $w }}])
{{- end }}

{{/*
An alert's labels (severity, prometheusRule.alertLabels) and the start of
its annotations (runbook_url), (list $ ALERT-VALUES NAME); the caller adds
summary and description.
*/}}
{{- define "coding-relay.alertMeta" -}}
{{- $root := index . 0 }}{{ $alert := index . 1 }}{{ $name := index . 2 -}}
labels:
  severity: {{ $alert.severity }}
  {{- with $root.Values.prometheusRule.alertLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
annotations:
  {{- with $root.Values.prometheusRule.runbookUrl }}
  runbook_url: {{ printf "%s#%s" . (lower $name) }}
  {{- end }}
{{- end }}
