// The console's shared contract: what the shell hands to every page, and how a page registers itself.
import type { ComponentType } from "preact";
import type { Api } from "../shared/http";
import type { T } from "../shared/i18n";
import type { LiveSocket } from "../shared/socket";

export type { Api, T };

/** GET /api/console/context: the centre's time zone (every date and "today" on the console), the user. */
export interface ConsoleContext {
  timezone: string;
  username: string;
  role: "supervisor" | "admin" | string;
  sip_enabled: boolean;
}

/** The current view: `#/<path>?<query>`; `path` has no leading slash (e.g. "wallboard", "admin/queues"). */
export interface Route {
  path: string;
  query: URLSearchParams;
}

/** What the shell hands to every page. */
export interface PageProps {
  api: Api;
  /** /ws/supervisor: subscribe with socket.on(stream or type, fn); a `snapshot` frame after each (re)connect */
  socket: LiveSocket;
  t: T;
  /** the UI language (catalogue code); format numbers and dates with it and ctx.timezone */
  lang: string;
  ctx: ConsoleContext;
  route: Route;
  /** go to another view; the query is kept in the URL (bookmarkable, the back button works) */
  navigate(path: string, query?: Record<string, string>): void;
}

/** One view of the console, listed in pages.ts. */
export interface PageDef {
  /** the view's path; a page also owns every path below it ("admin/queues" owns "admin/queues/q1") */
  path: string;
  /** the navigation group */
  section: "live" | "reports" | "admin" | "wfm";
  /** catalogue key of its name in the navigation and the title */
  label: string;
  /** the least role that may open it (the server checks again) */
  role: "supervisor" | "admin";
  component: ComponentType<PageProps>;
  /** a count beside the navigation link (e.g. open alerts); rendered by the shell on every view */
  badge?: ComponentType<Pick<PageProps, "api" | "socket" | "t" | "lang">>;
}
