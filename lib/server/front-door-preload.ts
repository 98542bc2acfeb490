// Loaded with `node --import` before Next.js starts; see front-door.ts.
import { installFrontDoor } from "./front-door.ts";

installFrontDoor();
