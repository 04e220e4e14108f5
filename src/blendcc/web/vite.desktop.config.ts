// Vite build of the agent desktop (/desktop): see vite.app.ts.
import { application } from "./vite.app.ts";

export default application("desktop");
