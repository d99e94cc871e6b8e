/** The build's entry: brings up the network (board/), then runs the application. */
import { connectWifi } from '../board/wifi';
import { cleanup, main } from './main';
import { start } from './runner';

connectWifi();
start({ main: main, cleanup: cleanup });
