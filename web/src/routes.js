// routes.js - every page of the app by path; the first match wins. `auth`: needs a signed-in person;
// `community`: a project's public page (board, shipped, fame), open to visitors and testers.
import { AccountPage } from './pages/account.js';
import { AdminPeoplePage } from './pages/admin_people.js';
import { AdminProjectPage } from './pages/admin_project.js';
import { AdminProjectsPage } from './pages/admin_projects.js';
import { AdminTokensPage } from './pages/admin_tokens.js';
import { BoardPage } from './pages/board.js';
import { BoardItemPage } from './pages/board_item.js';
import { BoardNewPage } from './pages/board_new.js';
import { BoardSignInPage } from './pages/board_signin.js';
import { FamePage } from './pages/fame.js';
import { GroupPage } from './pages/group.js';
import { GroupsPage } from './pages/groups.js';
import { HealthPage } from './pages/health.js';
import { HomePage } from './pages/home.js';
import { MinePage } from './pages/mine.js';
import { PickerPage } from './pages/picker.js';
import { ReleasePage } from './pages/release.js';
import { ReleasesPage } from './pages/releases.js';
import { ReportPage } from './pages/report.js';
import { ReportsPage } from './pages/reports.js';
import { ShippedPage } from './pages/shipped.js';
import { SignInPage } from './pages/signin.js';
import { SuggestionsPage } from './pages/suggestions.js';
import { TesterPage } from './pages/tester.js';
import { WelcomePage } from './pages/welcome.js';

// A path matching none of them shows pages/notfound.js.
// Parameters: :p the project's name, :id "G-12" / "R-34" / "S-5", :name a release's name or a tester's.
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
	{ path: '/p/:p/health', page: HealthPage, auth: true },
	{ path: '/p/:p/suggestions', page: SuggestionsPage, auth: true },
	{ path: '/p/:p/board', page: BoardPage, auth: false, community: true },
	{ path: '/p/:p/board/new', page: BoardNewPage, auth: false, community: true },
	{ path: '/p/:p/board/signin', page: BoardSignInPage, auth: false, community: true },
	{ path: '/p/:p/board/:id', page: BoardItemPage, auth: false, community: true },
	{ path: '/p/:p/shipped', page: ShippedPage, auth: false, community: true },
	{ path: '/p/:p/fame', page: FamePage, auth: false, community: true },
	{ path: '/p/:p/testers/:name', page: TesterPage, auth: false, community: true },
	{ path: '/p/:p/mine', page: MinePage, auth: false, community: true },
	{ path: '/admin', page: AdminProjectsPage, auth: true },
	{ path: '/admin/projects', page: AdminProjectsPage, auth: true },
	{ path: '/admin/projects/:p', page: AdminProjectPage, auth: true },
	{ path: '/admin/people', page: AdminPeoplePage, auth: true },
	{ path: '/admin/tokens', page: AdminTokensPage, auth: true },
];
