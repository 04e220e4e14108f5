// Entry of the agent desktop (/desktop): mounts the shell.
import { render } from "preact";
import { App } from "./App";
import "../shared/base.css";
import "./desktop.css";

const root = document.getElementById("desk");
if (root) render(<App />, root);
