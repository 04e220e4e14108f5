// Entry of the console (/console/): the supervisor's and admin's application.
import { render } from "preact";
import { App } from "./App";
import "../shared/base.css";
import "./console.css";

const root = document.getElementById("console");
if (root) render(<App />, root);
