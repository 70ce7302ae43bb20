"""Code tables of branch building (党支部建设, issue #11).

- ``OFFICER_ROLE``: a post in a branch's leadership (班子成员): 书记, 副书记 and the committee members
  (委员 with their 分工). A branch "has a committee" (设支部委员会) on a day when at least 3 officers hold
  posts on that day (《中国共产党支部工作条例（试行）》第十条: 委员会由 3 至 5 人组成，一般不超过 7 人).
"""

from __future__ import annotations

from zugong.core.codes import CodeTable

OFFICER_ROLE = CodeTable(
    "职务",
    {
        "secretary": "书记",
        "deputy_secretary": "副书记",
        "organization_member": "组织委员",
        "propaganda_member": "宣传委员",
        "discipline_member": "纪检委员",
        "youth_member": "青年委员",
        "women_member": "妇女委员",
        "committee_member": "委员",
    },
    aliases={"支部书记": "secretary", "党支部书记": "secretary", "支部副书记": "deputy_secretary",
             "组织委员兼纪检委员": "organization_member", "纪律检查委员": "discipline_member",
             "支委": "committee_member", "支部委员": "committee_member"},
)

COMMITTEE_MIN_OFFICERS = 3
