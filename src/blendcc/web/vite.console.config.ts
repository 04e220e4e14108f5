// Vite build of the console (supervisor and admin, /console/): see vite.app.ts.
import { application } from "./vite.app.ts";

export default application("console");
