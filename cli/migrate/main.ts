import { runAsMain } from "../shared/command";
import { migrateCommand } from "./command";

runAsMain(migrateCommand);
