// The dashboard's calls, as a browser page on its own origin makes them (API.md, "Browsers").
// The test drives the form and buttons, and calls window.dashboard for what a person would not
// click (a retried payment, a used ticket).
"use strict";

const api = new URLSearchParams(location.search).get("api");
document.getElementById("page-origin").textContent = location.origin;
document.getElementById("api-origin").textContent = api;

let token = "";
let feed = null;
const $ = (id) => document.getElementById(id);

function note(text, bad = false) {
  const line = document.createElement("div");
  line.textContent = text;
  if (bad) line.className = "bad";
  $("status").appendChild(line);
}

// One API call; answers {status, body, headers} or throws as fetch does (a CORS refusal is a
// TypeError that hides the answer).
async function call(method, path, body, headers = {}) {
  const sent = { ...headers };
  if (token) sent.Authorization = `Bearer ${token}`;
  if (body !== undefined) sent["Content-Type"] = "application/json";
  const response = await fetch(api + path, {
    method,
    headers: sent,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    position: response.headers.get("X-Ledger-Position"),
    retryAfter: response.headers.get("Retry-After"),
  };
}

async function login(email, password) {
  try {
    const answer = await call("POST", "/api/auth/login/", { email, password });
    if (answer.status !== 200) {
      note(`sign-in refused: ${answer.status} ${answer.body && answer.body.code}`, true);
      return { status: answer.status };
    }
    token = answer.body.token;
    $("who").textContent = `signed in as ${answer.body.user.name} (${answer.body.user.role})`;
    return { status: answer.status, wallet: await refreshWallet() };
  } catch (error) {
    note(`sign-in blocked: ${error.name}: ${error.message}`, true);
    return { blocked: true, error: `${error.name}: ${error.message}` };
  }
}

async function refreshWallet() {
  const answer = await call("GET", "/api/wallet/");
  if (answer.status === 200) {
    $("balance").textContent = `$${answer.body.balance}`;
    $("available").textContent = `$${answer.body.available_balance}`;
    $("position").textContent = answer.position;
  }
  return answer;
}

async function pay(amount, idempotencyKey) {
  const answer = await call(
    "POST", "/api/wallet/pay/", { amount, service: "website", description: "Landing page" },
    { "Idempotency-Key": idempotencyKey });
  if (answer.status === 201) {
    $("payment").textContent =
      `paid $${answer.body.transaction.amount}: transaction ${answer.body.transaction.id}, ` +
      `balance $${answer.body.balance} (key ${idempotencyKey})`;
  }
  return answer;
}

function addNotification(data, live) {
  const item = document.createElement("li");
  item.textContent = `${data.title}: ${data.message}`;
  if (live) item.className = "live";
  $("feed").prepend(item);
}

// Asks for a stream ticket and opens the feed with it; resolves with the ticket once open.
async function openFeed() {
  const answer = await call("POST", "/api/notifications/stream-ticket/");
  if (answer.status !== 200) throw new Error(`no ticket: ${answer.status}`);
  const ticket = answer.body.ticket;
  window.notifications = [];
  await new Promise((resolve, reject) => {
    feed = new EventSource(`${api}/api/notifications/stream/?ticket=${encodeURIComponent(ticket)}`);
    feed.addEventListener("notification", (event) => {
      const data = JSON.parse(event.data);
      window.notifications.push(data);
      addNotification(data, true);
    });
    feed.onopen = () => {
      $("feed-state").textContent = "connected with a stream ticket (EventSource)";
      resolve();
    };
    feed.onerror = () => reject(new Error(`the feed did not open (state ${feed.readyState})`));
  });
  return ticket;
}

// Opens the feed with `ticket` again: answers "open", or "refused" when EventSource gave up.
function reopenWith(ticket) {
  return new Promise((resolve) => {
    const again = new EventSource(`${api}/api/notifications/stream/?ticket=${encodeURIComponent(ticket)}`);
    again.onopen = () => { again.close(); resolve("open"); };
    again.onerror = () => {
      const state = again.readyState === EventSource.CLOSED ? "refused" : "retrying";
      again.close();
      resolve(state);
    };
  });
}

// The stream's status for `ticket` as fetch sees it (the 401 is readable: CORS on errors).
async function streamStatus(ticket) {
  const response = await fetch(`${api}/api/notifications/stream/?ticket=${encodeURIComponent(ticket)}`);
  const status = response.status;
  if (response.body) await response.body.cancel();
  return status;
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  window.lastLogin = login($("email").value, $("password").value);
});
$("pay").addEventListener("click", () => {
  window.lastPayment = pay($("amount").value, `pay-${Date.now()}`);
});

window.dashboard = { login, refreshWallet, pay, openFeed, reopenWith, streamStatus, note };
