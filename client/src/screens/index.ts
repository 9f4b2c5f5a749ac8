/**
 * Every screen of the client, registered with the roles that may open it. Adding a screen is one module that
 * calls `registerScreen` and one import line here.
 */
import './live';
import './replay';
import './overview';
import './setup';
import './city';
import './family';
