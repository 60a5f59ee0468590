import { runAsMain } from "../shared/command";
import { purgeCommand } from "./command";

runAsMain(purgeCommand());
