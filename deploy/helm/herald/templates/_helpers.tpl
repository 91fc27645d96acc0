{{/* Labels every resource carries. */}}
{{- define "herald.labels" -}}
app.kubernetes.io/part-of: herald
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end }}

{{/* The image of a service: (list $ "ingest"). */}}
{{- define "herald.image" -}}
{{- $root := index . 0 -}}
{{- $service := index . 1 -}}
{{- $digest := index $root.Values.image.digests $service -}}
{{- if $digest -}}
{{ $root.Values.image.registry }}/{{ $service }}-service@{{ $digest }}
{{- else -}}
{{ $root.Values.image.registry }}/{{ $service }}-service:{{ $root.Values.image.tag | default $root.Chart.AppVersion }}
{{- end -}}
{{- end }}

{{- define "herald.bootstrap" -}}
{{ .Values.kafka.bootstrapServers | default (printf "%s-kafka-bootstrap:9092" .Values.kafka.clusterName) }}
{{- end }}

{{/* The Kafka bootstrap address as seen from another namespace (KEDA's operator). */}}
{{- define "herald.bootstrapFqdn" -}}
{{ .Values.kafka.bootstrapServers | default (printf "%s-kafka-bootstrap.%s.svc:9092" .Values.kafka.clusterName .Release.Namespace) }}
{{- end }}

{{/* The pods of Herald's three services. */}}
{{- define "herald.servicePods" -}}
matchExpressions:
  - {key: app.kubernetes.io/name, operator: In, values: [herald-ingest, herald-rules, herald-dispatcher]}
{{- end }}
