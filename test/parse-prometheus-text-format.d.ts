/** Types for the dev-only text-format parser the Prometheus writer's test reads its output back with. */
declare module 'parse-prometheus-text-format' {
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
