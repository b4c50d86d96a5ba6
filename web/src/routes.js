// routes.js - every page of the app by path; the first match wins. `auth`: needs a signed-in person.
import { AccountPage } from './pages/account.js';
import { AdminPeoplePage } from './pages/admin_people.js';
import { AdminProjectPage } from './pages/admin_project.js';
import { AdminProjectsPage } from './pages/admin_projects.js';
import { AdminTokensPage } from './pages/admin_tokens.js';
import { GroupPage } from './pages/group.js';
import { GroupsPage } from './pages/groups.js';
import { HomePage } from './pages/home.js';
import { PickerPage } from './pages/picker.js';
import { ReleasePage } from './pages/release.js';
import { ReleasesPage } from './pages/releases.js';
import { ReportPage } from './pages/report.js';
import { ReportsPage } from './pages/reports.js';
import { SignInPage } from './pages/signin.js';
import { SuggestionsPage } from './pages/suggestions.js';
import { WelcomePage } from './pages/welcome.js';

// A path matching none of them shows pages/notfound.js.
// Parameters: :p the project's name, :id "G-12" / "R-34", :name a release's name.
export const routes = [
	{ path: '/', page: PickerPage, auth: true },
	{ path: '/signin', page: SignInPage, auth: false },
	{ path: '/welcome', page: WelcomePage, auth: false },
	{ path: '/account', page: AccountPage, auth: true },
	{ path: '/p/:p', page: HomePage, auth: true },
	{ path: '/p/:p/groups', page: GroupsPage, auth: true },
	{ path: '/p/:p/groups/:id', page: GroupPage, auth: true },
	{ path: '/p/:p/reports', page: ReportsPage, auth: true },
	{ path: '/p/:p/reports/:id', page: ReportPage, auth: true },
	{ path: '/p/:p/releases', page: ReleasesPage, auth: true },
	{ path: '/p/:p/releases/:name', page: ReleasePage, auth: true },
	{ path: '/p/:p/suggestions', page: SuggestionsPage, auth: true },
	{ path: '/admin', page: AdminProjectsPage, auth: true },
	{ path: '/admin/projects', page: AdminProjectsPage, auth: true },
	{ path: '/admin/projects/:p', page: AdminProjectPage, auth: true },
	{ path: '/admin/people', page: AdminPeoplePage, auth: true },
	{ path: '/admin/tokens', page: AdminTokensPage, auth: true },
];
