// Loaded with `node --import` before Next.js starts; see front-door.ts.
import { installFrontDoor } from "./front-door.ts";

installFrontDoor();
// instrumentation.ts handles SIGTERM and SIGINT (the usage history is written before the process exits); Next would exit at once.
process.env.NEXT_MANUAL_SIG_HANDLE ??= "1";
