// main.ts: the console's entry: the hash router. The sign-in page is in
// this small first chunk; the signed-in shell and its pages load after.
import "./style.css";
import { clear } from "./dom";
import { setRoute } from "./nav";
import * as session from "./session";
import { signInPage } from "./pages/signin";

const app = document.getElementById("app") as HTMLElement;
let seq = 0;

function route(): void {
  performance.mark("gh-route");
  const raw = decodeURIComponent(location.hash.replace(/^#/, "")) || "/";
  const [path, query] = raw.split("?");
  const params = new URLSearchParams(query || "");
  const mine = ++seq;
  if (!session.signedIn()) {
    clear(app);
    app.appendChild(signInPage());
    performance.mark("gh-rendered");
    return;
  }
  void import("./app").then((m) => {
    if (mine !== seq) return; // a later navigation won
    m.renderApp(app, path, params);
    performance.mark("gh-rendered");
  });
}

setRoute(route);
window.addEventListener("hashchange", route);
session.onChange(route);
route();
