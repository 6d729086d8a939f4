import pytest
import sqlalchemy as sa

from models.process.entities import HumanTask, TaskState
from models.requests.entities import RequestType
from models.requests.operations import register_request
from workflows.runtime import complete_task, start_instance
from workflows.shipped import deploy_shipped


@pytest.fixture
def shipped(db):
    return {d.key: d for d in deploy_shipped(db.session)}


@pytest.fixture
def request_process(db, make, shipped):
    """Register a request of a type and start the customer request process for it."""
    def _start(request_type=RequestType.NEW_CONNECTION):
        contract = make.contract()
        request = register_request(db.session, request_type, "clerk@example.com",
                                   customer_id=contract.account.customer_id,
                                   service_point_id=contract.service_point_id)
        instance = start_instance(db.session, "customer_request", "clerk@example.com", "customer_request",
                                  request.id, {"request_type": request_type.value})
        return request, instance
    return _start


@pytest.fixture
def work(db):
    """Complete the open human task with this BPMN id as a user of the task's role."""
    def _work(instance, bpmn_id, user, **data):
        task = db.session.scalar(sa.select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.bpmn_id == bpmn_id, HumanTask.state == TaskState.OPEN))
        open_ids = [t.bpmn_id for t in instance.tasks if t.state is TaskState.OPEN]
        assert task is not None, f"no open task {bpmn_id}; open: {open_ids}"
        return complete_task(db.session, task.id, user, data)
    return _work
