/**
 * The one place that talks to the furu dashboard API: a typed client generated from the
 * OpenAPI schema (src/client/schema.d.ts, `npm run generate-client`), the mutation token,
 * and errors that carry the server's `detail` so a page can show why.
 */
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "@/client/schema";

export type Schemas = components["schemas"];
export type ExperimentRow = Schemas["ExperimentRow"];
export type ExperimentPage = Schemas["ExperimentPage"];
export type ExperimentDetail = Schemas["ExperimentDetail"];
export type Health = Schemas["Health"];
export type Stats = Schemas["Stats"];
export type Dag = Schemas["Dag"];
export type DagNode = Schemas["DagNode"];
export type FileItem = Schemas["FileItem"];
export type LineageNode = Schemas["LineageNode"];
export type Related = Schemas["Related"];
export type FieldInfo = Schemas["FieldInfo"];
export type Viewer = FileItem["viewer"];
/** `?preview=table` of a CSV or Parquet file (the route answers raw bytes otherwise, so it has no named schema). */
export type TablePreview = paths["/api/experiments/{ref}/files/{path}"]["get"]["responses"][200]["content"]["application/json"];

/** Where the API lives, for the few URLs a browser opens itself (files, event streams). */
export const API_ROOT = "/api";

/** An answer that was not a success: `detail` is the server's sentence (or what went wrong). */
export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, detail: string) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
  }
}

/**
 * The token a server may put in the page (`<meta name="furu-token" content="...">`); without
 * one the server relies on its HttpOnly cookie, and nothing is sent.
 */
export function mutationToken(doc: Document = document): string | null {
  const meta = doc.querySelector<HTMLMetaElement>('meta[name="furu-token"]');
  const value = meta?.content?.trim();
  return value ? value : null;
}

const tokenMiddleware: Middleware = {
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD") {
      const token = mutationToken();
      if (token) request.headers.set("X-Furu-Token", token);
    }
    return request;
  },
};

export const client = createClient<paths>({
  // absolute, so the same client runs under Node (the tests) as in the page; always same-origin
  baseUrl: typeof window === "undefined" ? "" : window.location.origin,
  credentials: "same-origin",
  // looked up per call, not captured once, so a test can stand in for the server
  fetch: (request) => globalThis.fetch(request),
});
client.use(tokenMiddleware);

/** The error's sentence: FastAPI answers `{"detail": "..."}` (or a list for validation errors). */
export function detailOf(error: unknown, fallback: string): string {
  if (error && typeof error === "object" && "detail" in error) {
    const detail = (error as { detail: unknown }).detail;
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      return detail.map((part) => (part && typeof part === "object" && "msg" in part ? String(part.msg) : String(part))).join("; ");
    }
  }
  return fallback;
}

/** The data of a call, or an {@link ApiError} thrown with the server's reason. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    throw new ApiError(response.status, detailOf(error, `${response.status} ${response.statusText || "request failed"}`));
  }
  return data;
}

/** `ref` and `path` go into URLs; each segment of a file path is escaped on its own. */
export function fileUrl(ref: string, path: string, preview?: "table"): string {
  const segments = path.split("/").map(encodeURIComponent).join("/");
  return `${API_ROOT}/experiments/${encodeURIComponent(ref)}/files/${segments}${preview ? `?preview=${preview}` : ""}`;
}

export function logStreamUrl(ref: string, offset: number): string {
  return `${API_ROOT}/experiments/${encodeURIComponent(ref)}/logs/stream?offset=${offset}`;
}

/** A GET the typed client can't express well (file paths with slashes): the same errors. */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { credentials: "same-origin", signal });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new ApiError(response.status, detailOf(body, `${response.status} ${response.statusText}`));
  return body as T;
}

export async function getText(url: string, signal?: AbortSignal): Promise<string> {
  const response = await fetch(url, { credentials: "same-origin", signal });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    throw new ApiError(response.status, detailOf(body, `${response.status} ${response.statusText}`));
  }
  return response.text();
}

/** `/api/compare`: experiments side by side; `/api/compare/code`: the diff between two code snapshots. */
export type CompareView = Schemas["CompareView"];
export type ComparedExperiment = Schemas["ComparedExperiment"];
export type CodeCompare = Schemas["CodeCompare"];
