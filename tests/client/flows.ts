// The dashboards' main flows (../shared/API.md), written against the API as its routes answer,
// and typed ONLY by what openapi-typescript generates from the served OpenAPI document (module
// "ledger-openapi": scripts/check-openapi writes it under the build directory). A field the
// document does not declare, declares under another name or with another type, and an answer
// it leaves without a schema, are compile errors: `tsc --noEmit` over this file is the check.
// Nothing here runs in the tests; walkDashboards() would walk the flows against a live server.
import type { components, paths } from "ledger-openapi";

type Method = "get" | "post" | "patch" | "delete";

// The operation the document declares at path P for method M (never when it declares none).
type Operation<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]?: infer O }
  ? NonNullable<O>
  : never;

// The methods the document declares at path P.
type MethodOf<P extends keyof paths> = {
  [M in Method]: [Operation<P, M>] extends [never] ? never : M;
}[Method];

type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type RequestBody<Op> = Op extends { requestBody?: infer R } ? Json<NonNullable<R>> : never;
type Answer<Op> = Op extends { responses: infer R }
  ? Json<R[Extract<keyof R, 200 | 201 | 202>]>
  : never;
type ParametersIn<Op, In extends "path" | "query" | "header"> = Op extends {
  parameters: { [K in In]?: infer A };
}
  ? NonNullable<A>
  : never;

// What a call of an operation takes: its path parameters (when it has any), its query and
// header parameters, and its JSON body (when it takes one).
type CallOptions<Op> = ([ParametersIn<Op, "path">] extends [never]
  ? { path?: never }
  : { path: ParametersIn<Op, "path"> }) & {
  query?: ParametersIn<Op, "query">;
  headers?: ParametersIn<Op, "header">;
} & ([RequestBody<Op>] extends [never]
    ? { body?: never }
    : Op extends { requestBody: unknown }
      ? { body: RequestBody<Op> }
      : { body?: RequestBody<Op> }); // an optional body (a command with no required field)

type Problem = components["schemas"]["Problem"];

// A refusal: the problem document the server answered.
export class ApiProblem extends Error {
  constructor(
    readonly httpStatus: number,
    readonly problem: Problem,
  ) {
    super(`${httpStatus} ${problem.code ?? ""}: ${problem.detail ?? problem.title ?? ""}`);
  }
}

// A tiny typed fetch: the path, method, parameters, body and answer all come from `paths`.
export class ApiSession {
  private token = "";

  constructor(readonly baseUrl: string) {}

  useToken(token: string): void {
    this.token = token;
  }

  async call<P extends keyof paths, M extends MethodOf<P>>(
    method: M,
    path: P,
    options: CallOptions<Operation<P, M>>,
  ): Promise<Answer<Operation<P, M>>> {
    const given = options as {
      path?: Record<string, string>;
      query?: Record<string, string | number | boolean | undefined>;
      headers?: Record<string, string | number | undefined>;
      body?: unknown;
    };
    let target: string = path;
    for (const [name, value] of Object.entries(given.path ?? {})) {
      target = target.replace(`{${name}}`, encodeURIComponent(value));
    }
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(given.query ?? {})) {
      if (value !== undefined) query.set(name, String(value));
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(given.headers ?? {})) {
      if (value !== undefined) headers[name] = String(value);
    }
    if (this.token !== "") headers["Authorization"] = `Bearer ${this.token}`;
    if (given.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(
      this.baseUrl + target + (query.toString() === "" ? "" : `?${query.toString()}`),
      {
        method: method.toUpperCase(),
        headers,
        body: given.body === undefined ? null : JSON.stringify(given.body),
      },
    );
    const text = await response.text();
    if (!response.ok) throw new ApiProblem(response.status, JSON.parse(text) as Problem);
    return JSON.parse(text) as Answer<Operation<P, M>>;
  }
}

export interface Credentials {
  email: string;
  password: string;
}

// Log in: the token goes on every later call.
export async function logIn(baseUrl: string, credentials: Credentials): Promise<ApiSession> {
  const session = new ApiSession(baseUrl);
  const login = await session.call("post", "/api/auth/login/", { body: credentials });
  session.useToken(login.token);
  const dashboard =
    login.user.role === "admin"
      ? "admin"
      : login.user.role === "agent"
        ? `${login.user.department ?? "no"} department agent`
        : "client";
  console.log(`${login.user.name} <${login.user.email}>: ${dashboard} until ${login.expires_at}`);
  return session;
}

type TransactionPage = Answer<Operation<"/api/wallet/transactions/", "get">>;

// The client's wallet, then every transaction page by page (newest first).
export async function readWallet(session: ApiSession): Promise<string> {
  const wallet = await session.call("get", "/api/wallet/", {});
  console.log(
    `balance ${wallet.balance} ${wallet.currency}, available ${wallet.available_balance}, ` +
      `held ${wallet.held}, credited ${wallet.total_credited}, spent ${wallet.total_spent}`,
  );
  let cursor: string | null = null;
  do {
    const page: TransactionPage = await session.call("get", "/api/wallet/transactions/", {
      query: cursor === null ? { limit: 50 } : { limit: 50, cursor },
    });
    for (const transaction of page.results) {
      const sign = transaction.type === "credit" ? "+" : "-";
      console.log(
        `${transaction.created_at} ${sign}${transaction.amount} -> ${transaction.balance_after} ` +
          `${transaction.paid_for_service ?? transaction.source} ${transaction.description}`,
      );
    }
    cursor =
      page.next === null ? null : new URL(page.next, session.baseUrl).searchParams.get("cursor");
  } while (cursor !== null);
  return wallet.available_balance;
}

// Ask for a top-up: pending until the payment provider (or an admin) confirms it.
export async function topUp(session: ApiSession, amount: string): Promise<string> {
  const topup = await session.call("post", "/api/wallet/topup/", {
    body: { amount, payment_method: "card" },
  });
  if (topup.status !== "pending") throw new Error(`a new top-up is ${topup.status}`);
  console.log(`top-up ${topup.id} of ${topup.amount} by ${topup.payment_method}: pending`);
  return topup.id;
}

// Pay the oldest open invoice from the wallet, when the wallet can.
export async function payAnInvoice(session: ApiSession): Promise<void> {
  const invoices = await session.call("get", "/api/invoices/", { query: { status: "issued" } });
  const invoice = invoices.results[invoices.results.length - 1];
  if (invoice === undefined) return;
  const check = await session.call("post", "/api/wallet/check_affordability/", {
    body: { amount: invoice.amount },
  });
  if (!check.can_afford) {
    console.log(
      `invoice ${invoice.id} (${invoice.service}, due ${invoice.due_date}): ` +
        `short by ${check.shortfall}`,
    );
    return;
  }
  const paid = await session.call("post", "/api/invoices/{id}/pay/", { path: { id: invoice.id } });
  console.log(`invoice ${paid.id}: ${paid.status} at ${paid.paid_at} (position ${paid.position})`);
}

// Learn the first course the caller may open that has lessons: each lesson in list order
// (module, then order), completed; then the progress and, once completed, the certificate, whose
// completion event is at or before the ledger's head.
export async function learnACourse(session: ApiSession): Promise<void> {
  const courses = await session.call("get", "/api/courses/", {});
  const course = courses.results.find(
    (candidate) => candidate.is_accessible && candidate.lesson_count > 0,
  );
  if (course === undefined) return;
  const lessons = await session.call("get", "/api/courses/{id}/lessons/", {
    path: { id: course.id },
    query: { limit: 500 },
  });
  for (const lesson of lessons.results) {
    const content = lesson.content_type === "video" ? lesson.video_url : lesson.body;
    console.log(
      `${lesson.module} ${lesson.order}. ${lesson.title} (${lesson.duration_minutes} min): ` +
        `${content ?? "locked"}`,
    );
    if (lesson.is_completed) continue;
    const progress = await session.call(
      "post",
      "/api/courses/{id}/lessons/{lesson_id}/complete/",
      { path: { id: course.id, lesson_id: lesson.id } },
    );
    console.log(`${progress.completed} of ${progress.total} lessons (${progress.percent} %)`);
  }
  const progress = await session.call("get", "/api/courses/{id}/progress/", {
    path: { id: course.id },
  });
  if (!progress.is_completed) return;
  const certificate = await session.call("get", "/api/courses/{id}/certificate/", {
    path: { id: course.id },
  });
  const head = await session.call("get", "/api/ledger/head/", {});
  if (head.position < certificate.position) {
    throw new Error(`certificate ${certificate.id} is past the ledger's head`);
  }
  console.log(
    `${certificate.user_name} completed ${certificate.course_title} at ` +
      `${certificate.completed_at}: event ${certificate.position}, hash ${certificate.hash}`,
  );
}

// Subscriptions billed by invoice: each renewal's invoice is due a week later; one that lost
// access (past_due) gets it back once that invoice is paid.
export async function keepSubscriptions(session: ApiSession): Promise<void> {
  const subscriptions = await session.call("get", "/api/subscriptions/", {});
  for (const subscription of subscriptions.results) {
    if (subscription.open_invoice_id === null) continue;
    console.log(
      `${subscription.plan}: ${subscription.status}, renewal invoice ` +
        `${subscription.open_invoice_id} due ${subscription.open_invoice_due_date ?? ""}`,
    );
    if (subscription.status !== "past_due") continue;
    const paid = await session.call("post", "/api/invoices/{id}/pay/", {
      path: { id: subscription.open_invoice_id },
    });
    console.log(`invoice ${paid.id} for the renewal of ${paid.renewal_date ?? ""}: ${paid.status}`);
  }
}

// The client's services, each with its agent and settings; marketing posts in the client's
// time zone.
export async function chooseServiceSettings(session: ApiSession, timeZone: string): Promise<void> {
  const services = await session.call("get", "/api/service-settings/", {});
  for (const service of services.results) {
    const agent = service.agent === null ? "no agent" : `agent ${service.agent.name}`;
    const state = service.is_active ? "active" : "inactive";
    console.log(`${service.service} (${state}, ${agent}): ${JSON.stringify(service.settings)}`);
  }
  const marketing = services.results.find((service) => service.service === "marketing");
  if (marketing === undefined) return;
  const changed = await session.call("patch", "/api/service-settings/{id}/update_settings/", {
    path: { id: marketing.id },
    body: { settings: { posting_timezone: timeZone, weekly_report: true } },
  });
  if ("posting_timezone" in changed.settings) {
    console.log(`marketing posts in ${changed.settings.posting_timezone} (${changed.position})`);
  }
}

// Buy the first course on sale that the caller does not have yet, from the wallet.
export async function buyACourse(session: ApiSession): Promise<void> {
  const courses = await session.call("get", "/api/courses/", {});
  const course = courses.results.find(
    (candidate) =>
      !candidate.is_purchased && !candidate.is_free && candidate.allow_individual_purchase,
  );
  if (course === undefined) return;
  const bought = await session.call("post", "/api/courses/{id}/purchase/", {
    path: { id: course.id },
    body: { payment_method: "wallet" },
  });
  const purchase = bought.purchase;
  console.log(
    `${purchase.course_title}: ${purchase.status}, paid ${purchase.amount_paid} by ` +
      `${purchase.payment_method}, access until ${purchase.access_expires_at ?? "forever"}, ` +
      `balance ${bought.balance ?? "unchanged"}`,
  );
}

// A marketing agent's campaigns for an assigned client, and a new draft; read back at once
// through X-Min-Position (the position the creation answered).
export async function runCampaigns(agent: ApiSession): Promise<void> {
  const clients = await agent.call("get", "/api/agents/my-clients/", {});
  const client = clients.results[0];
  if (client === undefined) return;
  const created = await agent.call("post", "/api/campaigns/", {
    body: {
      client_id: client.id,
      name: `Spring launch for ${client.name}`,
      platform: "instagram",
      budget: "500.00",
      start_date: "2026-03-01",
    },
  });
  if (created.status !== "draft") throw new Error(`a new campaign is ${created.status}`);
  console.log(`campaign ${created.id} created as a draft, budget ${created.budget}`);
  const campaigns = await agent.call("get", "/api/campaigns/", {
    query: { client_id: client.id },
    headers: { "X-Min-Position": created.position },
  });
  for (const campaign of campaigns.results) {
    console.log(
      `${campaign.name} [${campaign.status}] on ${campaign.platform}: budget ${campaign.budget}, ` +
        `spent ${campaign.spend}, reach ${campaign.reach}, ${campaign.performance}%`,
    );
  }
}

// A task on the boards: the agent asks a client for something, the client starts and finishes
// it; the client's board is read back at once through X-Min-Position.
export async function runTasks(agent: ApiSession, client: ApiSession): Promise<void> {
  const clients = await agent.call("get", "/api/agents/my-clients/", {});
  const first = clients.results[0];
  if (first === undefined) return;
  const task = await agent.call("post", "/api/tasks/", {
    body: { client: first.id, title: "Send us your logo", priority: "high", due_date: "2026-12-01" },
  });
  const board = await client.call("get", "/api/tasks/", {
    query: { status: "todo", overdue: false },
    headers: { "X-Min-Position": task.position },
  });
  for (const open of board.results) {
    console.log(`${open.title} [${open.priority}] due ${open.due_date ?? "whenever"}`);
  }
  const started = await client.call("patch", "/api/tasks/{id}/", {
    path: { id: task.id },
    body: { status: "in_progress" },
  });
  const done = await client.call("post", "/api/tasks/{id}/complete/", { path: { id: task.id } });
  console.log(`${done.title}: ${started.status}, then ${done.status} at ${done.completed_at ?? ""}`);
}

// The messages page: the agent writes to a client, the client reads the conversation list with
// its unread counts, opens the conversation, marks the message read and answers.
export async function runMessages(agent: ApiSession, client: ApiSession): Promise<void> {
  const clients = await agent.call("get", "/api/agents/my-clients/", {});
  const first = clients.results[0];
  if (first === undefined) return;
  const sent = await agent.call("post", "/api/messages/", {
    body: { recipient: first.id, content: "Your brief is ready for review." },
  });
  const conversations = await client.call("get", "/api/messages/conversations/", {
    headers: { "X-Min-Position": sent.position },
  });
  for (const conversation of conversations.results) {
    console.log(
      `${conversation.counterpart_name}: ${conversation.unread_count} unread, last ` +
        `"${conversation.last_message.content}"`,
    );
  }
  const thread = await client.call("get", "/api/messages/", { query: { with: sent.sender } });
  for (const message of thread.results) {
    if (!message.is_read && message.recipient === first.id) {
      await client.call("post", "/api/messages/{id}/mark_read/", { path: { id: message.id } });
    }
  }
  const answer = await client.call("post", "/api/messages/", {
    body: { recipient: sent.sender, content: "Thanks, reading it now." },
  });
  console.log(`answered at ${answer.created_at ?? ""} about ${answer.service ?? "everything"}`);
}

// A support ticket: the client opens one, the agent answers on its thread and resolves it, the
// client reads the thread back at once through X-Min-Position and closes it.
export async function runSupportTicket(client: ApiSession, agent: ApiSession): Promise<void> {
  const ticket = await client.call("post", "/api/support-tickets/", {
    body: { subject: "The checkout is down", description: "Since this morning", service: "marketing" },
  });
  const queue = await agent.call("get", "/api/support-tickets/", {
    query: { status: "open", priority: "medium" },
    headers: { "X-Min-Position": ticket.position },
  });
  for (const waiting of queue.results) {
    console.log(`${waiting.subject} [${waiting.priority}] ${waiting.service ?? "no service"}`);
  }
  const reply = await agent.call("post", "/api/support-tickets/{id}/reply/", {
    path: { id: ticket.id },
    body: { message: "Fixed: the payment provider was down." },
  });
  const resolved = await agent.call("post", "/api/support-tickets/{id}/change_status/", {
    path: { id: ticket.id },
    body: { status: "resolved" },
  });
  const thread = await client.call("get", "/api/support-tickets/{id}/", {
    path: { id: ticket.id },
    headers: { "X-Min-Position": resolved.position },
  });
  for (const answer of thread.replies) {
    console.log(`#${answer.id} ${answer.author_role} at ${answer.created_at ?? ""}: ${answer.message}`);
  }
  const closed = await client.call("post", "/api/support-tickets/{id}/change_status/", {
    path: { id: ticket.id },
    body: { status: "closed" },
  });
  console.log(`${closed.subject}: reply ${reply.id}, then ${resolved.status}, then ${closed.status}`);
}

// The notification bell: unread ones, one marked read, then all.
export async function readNotifications(session: ApiSession): Promise<void> {
  const unread = await session.call("get", "/api/notifications/", { query: { unread: true } });
  console.log(`${unread.unread_count} unread`);
  for (const notification of unread.results) {
    console.log(
      `[${notification.group}] ${notification.type}: ${notification.title}: ` +
        `${notification.message} ${notification.link}`,
    );
  }
  const first = unread.results[0];
  if (first !== undefined && !first.is_read) {
    const read = await session.call("post", "/api/notifications/{id}/mark_read/", {
      path: { id: first.id },
    });
    console.log(`notification ${read.id} read: ${read.is_read}`);
  }
  await session.call("post", "/api/notifications/mark_all_read/", {});
  const left = await session.call("get", "/api/notifications/unread_count/", {});
  if (left.unread_count !== 0) throw new Error(`${left.unread_count} still unread`);
}

// The live feed: EventSource cannot send Authorization, so it opens the stream with a ticket
// (single use, valid 60 s) in the URL.
export async function notificationStreamUrl(session: ApiSession, baseUrl: string): Promise<string> {
  const issued = await session.call("post", "/api/notifications/stream-ticket/", {});
  console.log(`stream ticket valid until ${issued.expires_at}`);
  return `${baseUrl}/api/notifications/stream/?ticket=${encodeURIComponent(issued.ticket)}`;
}

// The client's dashboard, then the marketing agent's.
export async function walkDashboards(
  baseUrl: string,
  client: Credentials,
  agent: Credentials,
): Promise<void> {
  const clientSession = await logIn(baseUrl, client);
  await topUp(clientSession, "50.00");
  await readWallet(clientSession);
  await payAnInvoice(clientSession);
  await keepSubscriptions(clientSession);
  await chooseServiceSettings(clientSession, "Europe/Paris");
  await buyACourse(clientSession);
  await learnACourse(clientSession);
  await readNotifications(clientSession);
  const agentSession = await logIn(baseUrl, agent);
  await runCampaigns(agentSession);
  await runTasks(agentSession, clientSession);
  await runMessages(agentSession, clientSession);
  await runSupportTicket(clientSession, agentSession);
  await readNotifications(agentSession);
}
